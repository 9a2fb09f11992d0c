"""A bounded fuzz run of the image validator on mutated JPEG and PNG bytes."""

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from common.uploads import ImageRejected, image_validate
from tests.conftest import jpeg_bytes, png_bytes

SEEDS = [jpeg_bytes(size=(48, 40), quality=80), png_bytes(size=(32, 32))]


@st.composite
def mutated_images(draw):
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "append"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[position : position + draw(st.integers(1, 64))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=32))
        else:
            data += draw(st.binary(min_size=1, max_size=64))
    name = draw(st.sampled_from(["a.jpg", "a.png", "a.jpeg", "a.webp", "a.gif", "a"]))
    return bytes(data), name


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_images())
def test_mutated_images_are_either_rejected_clearly_or_stored_as_a_clean_jpeg(case):
    data, name = case
    try:
        image = image_validate(data=data, filename=name)
    except ImageRejected as exc:
        assert exc.code in {
            "empty_file",
            "file_too_large",
            "unsupported_format",
            "not_an_image",
            "extension_mismatch",
            "too_many_pixels",
            "implausible_dimensions",
            "corrupt_image",
        }
        return
    decoded = Image.open(io.BytesIO(image.content))
    decoded.load()
    assert decoded.format == "JPEG" and decoded.mode == "RGB"
