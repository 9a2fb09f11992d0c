import io

import numpy as np
import pytest
from PIL import Image

from mlcore.images import image_open
from mlcore.inference import StyleClassifier, StylePrediction, UnreadableImage
from mlcore.model import CheckpointError, StyleCheckpoint
from mlcore.styles import TAXONOMY_CODES, TAXONOMY_INDEX
from tests.conftest import jpeg_bytes


def test_a_checkpoint_round_trip_gives_identical_probabilities(tiny_checkpoint, tmp_path):
    images = [jpeg_bytes((i * 40 % 255, 90, 200 - i * 30)) for i in range(4)]
    first = StyleClassifier(tiny_checkpoint).predict(images)
    copy = tmp_path / "copy.pt"
    StyleCheckpoint.load(tiny_checkpoint).save(copy)
    second = StyleClassifier(copy).predict(images)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.probabilities, b.probabilities)
        np.testing.assert_array_equal(a.embedding, b.embedding)


def test_predictions_cover_the_taxonomy_and_embeddings_are_unit_512_vectors(tiny_checkpoint):
    (prediction,) = StyleClassifier(tiny_checkpoint).predict([jpeg_bytes()])
    assert prediction.probabilities.shape == (len(TAXONOMY_CODES),)
    assert prediction.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert prediction.probabilities[TAXONOMY_INDEX["other"]] == 0  # no class of this model
    assert prediction.embedding.shape == (512,)
    assert np.linalg.norm(prediction.embedding) == pytest.approx(1.0, abs=1e-4)
    top = prediction.top_k(3)
    assert top[0] == (prediction.top_style, prediction.confidence)
    assert [p for _, p in top] == sorted(prediction.probabilities.tolist(), reverse=True)[:3]
    assert prediction.top_style == TAXONOMY_CODES[int(prediction.probabilities.argmax())]


def test_a_corrupt_or_truncated_image_inside_a_batch_fails_only_itself(tiny_checkpoint, tmp_path):
    good = jpeg_bytes(size=(200, 200), quality=95)
    missing = tmp_path / "missing.jpg"
    results = StyleClassifier(tiny_checkpoint).predict(
        [good, good[:300], b"not an image", missing, good], batch_size=2
    )
    kinds = [type(r) for r in results]
    assert kinds == [
        StylePrediction,
        UnreadableImage,
        UnreadableImage,
        UnreadableImage,
        StylePrediction,
    ]
    np.testing.assert_allclose(results[0].probabilities, results[4].probabilities, atol=1e-6)


def test_exif_orientation_is_applied_before_classification(tiny_checkpoint):
    upright = Image.new("RGB", (60, 120), (255, 255, 255))
    upright.paste((200, 0, 0), (0, 0, 60, 40))  # a red band at the top
    rotated = upright.rotate(90, expand=True)  # what a camera stores, with an EXIF note
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    rotated.save(buffer, format="JPEG", exif=exif, quality=100)
    plain = io.BytesIO()
    upright.save(plain, format="JPEG", quality=100)
    # what the classifier decodes is the upright picture, not the stored one
    decoded = image_open(buffer.getvalue())
    assert rotated.size == (120, 60) and decoded.size == (60, 120)
    assert decoded.getpixel((30, 5))[1] < 50 and min(decoded.getpixel((30, 110))) > 200
    a, b = StyleClassifier(tiny_checkpoint).predict([buffer.getvalue(), plain.getvalue()])
    np.testing.assert_allclose(a.embedding, b.embedding, atol=1e-3)


def test_the_model_loads_lazily_not_at_construction(tiny_checkpoint):
    classifier = StyleClassifier(tiny_checkpoint)
    assert classifier.checkpoint is None
    classifier.predict([jpeg_bytes()])
    assert classifier.checkpoint is not None


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"garbage")
    with pytest.raises(CheckpointError):
        StyleCheckpoint.load(bad)


def test_a_stream_is_read_only_a_few_batches_ahead_and_keeps_each_result_with_its_key(
    tiny_checkpoint, shared_data
):
    paths = sorted((shared_data / "kfashion-sample").rglob("*.jpg"))[:40]
    classifier = StyleClassifier(tiny_checkpoint, prefetch_batches=1)
    reference = classifier.predict(paths, batch_size=8)
    handed_out = []

    def items():
        for n, path in enumerate(paths):
            handed_out.append(n)
            yield n, path.read_bytes

    stream = classifier.classify_stream(items(), batch_size=8)
    first = next(stream)
    # One batch in the forward pass and one being decoded ahead: nothing beyond is read yet.
    assert len(handed_out) <= 2 * 8
    batches = [first, *stream]
    assert [len(b) for b in batches] == [8] * 5 and len(handed_out) == 40
    for key, result in (pair for batch in batches for pair in batch):
        np.testing.assert_allclose(result.probabilities, reference[key].probabilities, atol=1e-6)


def test_a_stream_item_whose_file_cannot_be_read_fails_alone(tiny_checkpoint, tmp_path):
    def gone():
        return (tmp_path / "gone.jpg").read_bytes()

    batches = list(
        StyleClassifier(tiny_checkpoint).classify_stream(
            [("a", jpeg_bytes), ("b", gone), ("c", jpeg_bytes)], batch_size=2
        )
    )
    results = dict(pair for batch in batches for pair in batch)
    assert isinstance(results["b"], UnreadableImage) and "unreadable file" in results["b"].reason
    assert isinstance(results["a"], StylePrediction) and isinstance(results["c"], StylePrediction)


def test_a_stream_of_posts_gives_each_post_the_mean_of_its_images_once(tiny_checkpoint):
    from mlcore.inference import predictions_mean

    images = [jpeg_bytes((n * 30 % 255, 90, 200 - n * 20)) for n in range(7)]
    posts = [("a", images[:1]), ("b", images[1:5]), ("c", images[5:7])]
    classifier = StyleClassifier(tiny_checkpoint)
    batches = list(classifier.classify_posts_stream(posts, batch_size=3))
    # Batches of 3 images: a and part of b; the rest of b; c. Each post comes back once, in order.
    assert [[key for key, _ in batch] for batch in batches] == [["a"], ["b"], ["c"]]
    per_image = classifier.predict(images)
    expected = [predictions_mean(per_image[0:1]), predictions_mean(per_image[1:5])]
    expected.append(predictions_mean(per_image[5:7]))
    for (_, result), want in zip((pair for b in batches for pair in b), expected, strict=True):
        np.testing.assert_allclose(result.probabilities, want.probabilities, atol=1e-6)
