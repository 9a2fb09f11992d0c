"""Classification derivatives: the small copy of a post image that catalogue classification reads
must hold exactly the pixels the model looks at, and classify as its original does."""

import io

import numpy as np
import pytest
from PIL import Image

from mlcore.images import (
    ImageDecodeError,
    classification_derivative,
    classification_derivative_image,
    image_open,
)
from mlcore.inference import StyleClassifier
from mlcore.preprocessing import Preprocessing, eval_geometry

GEOMETRY = Preprocessing()  # resize 256, crop 224: the production models' input


def real_photos(shared_data) -> list[bytes]:
    """800 px K-Fashion originals (portrait) and CC0 product shots, portrait and landscape."""
    kfashion = sorted((shared_data / "kfashion-original").rglob("*.jpg"))[:6]
    products = sorted((shared_data / "clothing-cc0").rglob("*.jpg"))
    wide = [p for p in products if Image.open(p).width > Image.open(p).height][:3]
    return [p.read_bytes() for p in kfashion + products[:3] + wide]


def camera_jpeg_rotated() -> bytes:
    """A portrait photo stored sideways with an EXIF orientation note, as phones save them."""
    upright = Image.new("RGB", (300, 500), (240, 240, 240))
    upright.paste((200, 0, 0), (0, 0, 300, 120))  # a red band at the top
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    upright.rotate(90, expand=True).save(buffer, "JPEG", quality=95, exif=exif)
    return buffer.getvalue()


def model_input(image: Image.Image) -> np.ndarray:
    return np.asarray(eval_geometry(GEOMETRY)(image))


def test_a_derivative_holds_exactly_the_pixels_the_model_sees(shared_data):
    small = Image.new("RGB", (150, 90), (10, 120, 200))  # smaller than the model's input
    buffer = io.BytesIO()
    small.save(buffer, "PNG")
    sources = [*real_photos(shared_data), camera_jpeg_rotated(), buffer.getvalue()]
    for source in sources:
        derivative = classification_derivative_image(source, short_side=GEOMETRY.resize)
        assert max(derivative.size) <= GEOMETRY.resize
        original = image_open(source, draft_size=GEOMETRY.resize)
        np.testing.assert_array_equal(model_input(derivative), model_input(original))
    upright = classification_derivative_image(camera_jpeg_rotated(), short_side=256)
    assert upright.getpixel((128, 5))[0] > 150  # the red band is on top: EXIF applied


def test_a_derivative_is_a_small_jpeg_that_classifies_as_its_original(
    shared_data, full_size_checkpoint
):
    photos = real_photos(shared_data)
    derivatives = [classification_derivative(p, short_side=GEOMETRY.resize) for p in photos]
    assert all(Image.open(io.BytesIO(d)).format == "JPEG" for d in derivatives)
    assert sum(map(len, derivatives)) < sum(map(len, photos)) / 2
    classifier = StyleClassifier(full_size_checkpoint)
    assert classifier.input_short_side == GEOMETRY.resize
    for original, derivative in zip(
        classifier.predict(photos), classifier.predict(derivatives), strict=True
    ):
        # Only JPEG re-encoding at quality 95 separates them.
        np.testing.assert_allclose(derivative.probabilities, original.probabilities, atol=0.01)
        assert float(derivative.embedding @ original.embedding) > 0.99


def test_an_unreadable_source_makes_no_derivative():
    with pytest.raises(ImageDecodeError):
        classification_derivative(b"\xff\xd8\xff not a jpeg", short_side=256)
