"""Images whose header promises more than their bytes hold: refused before they cost memory."""

import io
import random
import struct

import numpy as np
import pytest
from PIL import Image

from common.uploads import ImageRejected, image_validate
from tests.common.test_uploads import bomb_png


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def noise(size=(64, 64), seed=0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray((rng.random((size[1], size[0], 3)) * 255).astype("uint8"))


def with_declared_size(jpeg: bytes, width: int, height: int) -> bytes:
    """The same JPEG with its frame header (SOF0) claiming another size."""
    data = bytearray(jpeg)
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def cut_and_closed(jpeg: bytes, keep: float) -> bytes:
    """Its first scan cut short, then an end-of-image marker: libjpeg pads the rest with grey."""
    scan = jpeg.find(b"\xff\xda")
    scan_end = jpeg.find(b"\xff\xda", scan + 2) if jpeg.count(b"\xff\xda") > 1 else len(jpeg) - 2
    end = scan + int((scan_end - scan) * keep)
    if jpeg[end - 1] == 0xFF:
        end -= 1
    return jpeg[:end] + b"\xff\xd9"


def rejected(data: bytes, name: str) -> str:
    with pytest.raises(ImageRejected) as info:
        image_validate(data=data, filename=name)
    return info.value.code


def test_a_64px_jpeg_declaring_6300px_is_refused_before_decoding():
    """Issue 16: under 700 bytes that decoded to a 39.7-megapixel grey image (+370 MB)."""
    tiny = encode(noise((64, 64)).convert("L"), "JPEG", quality=10)
    attack = with_declared_size(tiny, 6300, 6300)
    assert len(attack) < 1500
    assert rejected(attack, "look.jpg") == "implausible_dimensions"


def test_a_png_declaring_36_megapixels_in_a_few_bytes_is_refused():
    assert rejected(bomb_png(6000, 6000), "look.png") == "implausible_dimensions"


def test_a_small_image_declaring_more_than_it_holds_is_refused_as_padded():
    """Under the plausibility floor the header passes; the decoder's invented grey does not."""
    tiny = encode(noise((64, 64)), "JPEG", quality=90)
    assert rejected(with_declared_size(tiny, 600, 600), "look.jpg") == "corrupt_image"


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.99])
@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_cut_short_and_closed_with_an_end_marker_is_refused(keep, progressive):
    """Progressive: its first scan (the colours of every block) is cut."""
    photo = encode(noise((800, 600), seed=3), "JPEG", quality=90, progressive=progressive)
    assert image_validate(data=photo, filename="a.jpg")
    assert rejected(cut_and_closed(photo, keep), "a.jpg") == "corrupt_image"


@pytest.mark.parametrize(
    "image,fmt,options",
    [
        # The most compressible files the formats allow stay welcome.
        (Image.new("L", (4000, 3000), 255), "JPEG", {"quality": 95, "optimize": True}),
        (Image.new("RGB", (4000, 3000), "white"), "JPEG", {"progressive": True}),
        (Image.new("1", (6000, 6000), 1), "PNG", {"optimize": True}),
        (Image.new("RGB", (4000, 3000), "white"), "PNG", {"optimize": True}),
        (Image.new("RGB", (4000, 3000), "white"), "WEBP", {"quality": 80}),
    ],
    ids=["flat-grey-jpeg", "flat-progressive-jpeg", "1-bit-png", "flat-png", "flat-webp"],
)
def test_the_most_compressible_honest_images_are_accepted(image, fmt, options):
    data = encode(image, fmt, **options)
    name = {"JPEG": "a.jpg", "PNG": "a.png", "WEBP": "a.webp"}[fmt]
    validated = image_validate(data=data, filename=name)
    assert (validated.width, validated.height) == image.size


def test_a_valid_jpeg_with_a_payload_after_its_end_is_still_accepted():
    photo = encode(noise((300, 200)), "JPEG", quality=85)
    validated = image_validate(
        data=photo + b"<html><script>x</script></html>\xff\xd9", filename="a.jpg"
    )
    assert b"<html>" not in validated.content


def test_real_photos_of_every_kind_in_the_shared_data_are_accepted(shared_data):
    paths = sorted((shared_data / "clothing-cc0").rglob("*.jpg"))
    paths += sorted((shared_data / "kfashion-original").rglob("*.jpg"))
    assert paths, "no photos found in the shared data"
    sample = random.Random(16).sample(paths, min(len(paths), 120))
    for path in sample:
        image_validate(data=path.read_bytes(), filename=path.name)


@pytest.mark.parametrize("keep", [0.5, 0.8])
def test_a_progressive_jpeg_missing_its_later_scans_is_refused(keep):
    """Attack run: a progressive JPEG cut in half (its first scans whole) and closed with an end
    marker was stored with its missing detail zeroed: the decoder had made it up."""
    photo = encode(noise((512, 512), seed=5), "JPEG", quality=90, progressive=True)
    assert image_validate(data=photo, filename="a.jpg")
    cut = photo[: int(len(photo) * keep)]
    if cut[-1] == 0xFF:
        cut = cut[:-1]
    assert rejected(cut + b"\xff\xd9", "a.jpg") == "corrupt_image"
