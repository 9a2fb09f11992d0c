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
from mlcore.preprocessing import Preprocessing, derivative_serves
from mlcore.transforms import eval_geometry

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


def smaller_than_the_input(shared_data) -> list[bytes]:
    """A real photo shrunk below the model's 256 px (the demo pictures are 240 x 300), as PNG."""
    photo = Image.open(sorted((shared_data / "kfashion-original").rglob("*.jpg"))[0])
    sources = []
    for size in ((240, 300), (100, 600), (255, 900), (150, 90), (300, 240)):
        buffer = io.BytesIO()
        photo.convert("RGB").resize(size).save(buffer, "PNG")
        sources.append(buffer.getvalue())
    return sources


def test_a_derivative_holds_exactly_the_pixels_the_model_sees(shared_data):
    sources = [
        *real_photos(shared_data),
        camera_jpeg_rotated(),
        *smaller_than_the_input(shared_data),
    ]
    for source in sources:
        derivative = classification_derivative_image(source, short_side=GEOMETRY.resize)
        assert derivative.size == (GEOMETRY.resize, GEOMETRY.resize)
        original = image_open(source, draft_size=GEOMETRY.resize)
        np.testing.assert_array_equal(model_input(derivative), model_input(original))
    upright = classification_derivative_image(camera_jpeg_rotated(), short_side=256)
    red, green, blue = upright.getpixel((128, 5))
    assert red > 150 and green < 60 and blue < 60  # the red band is on top: EXIF applied
    assert upright.getpixel((128, 250)) == pytest.approx((240, 240, 240), abs=12)


def test_derivative_serves_exactly_the_models_whose_pixels_it_holds():
    # 256 x 301: the square's margin is 22.5 rows, which CenterCrop rounds to even (22).
    photo = Image.effect_noise((256, 301), 60).convert("RGB")
    buffer = io.BytesIO()
    photo.save(buffer, "PNG")
    derivative = classification_derivative_image(buffer.getvalue(), short_side=256)
    for crop in range(192, 257, 2):
        geometry = Preprocessing(crop=crop)
        same = np.array_equal(
            np.asarray(eval_geometry(geometry)(derivative)),
            np.asarray(eval_geometry(geometry)(photo)),
        )
        if derivative_serves(geometry, 256):
            assert same, crop
    assert derivative_serves(Preprocessing(), 256)
    assert not derivative_serves(Preprocessing(crop=226), 256)  # rows shifted by one here:
    assert not np.array_equal(
        np.asarray(eval_geometry(Preprocessing(crop=226))(derivative)),
        np.asarray(eval_geometry(Preprocessing(crop=226))(photo)),
    )
    assert not derivative_serves(Preprocessing(resize=288, crop=256), 256)


def test_a_derivative_is_a_small_jpeg_that_classifies_as_its_original(
    shared_data, full_size_checkpoint
):
    photos = real_photos(shared_data)
    derivatives = [classification_derivative(p, short_side=GEOMETRY.resize) for p in photos]
    assert all(Image.open(io.BytesIO(d)).format == "JPEG" for d in derivatives)
    assert sum(map(len, derivatives)) < sum(map(len, photos)) / 2
    classifier = StyleClassifier(full_size_checkpoint)
    assert classifier.preprocessing == GEOMETRY
    for original, derivative in zip(
        classifier.predict(photos), classifier.predict(derivatives), strict=True
    ):
        # Only JPEG re-encoding at quality 95 separates them.
        np.testing.assert_allclose(derivative.probabilities, original.probabilities, atol=0.01)
        assert float(derivative.embedding @ original.embedding) > 0.99


def test_an_unreadable_source_makes_no_derivative():
    with pytest.raises(ImageDecodeError):
        classification_derivative(b"\xff\xd8\xff not a jpeg", short_side=256)
