"""The single upload validator against every hostile input in RELIABILITY.md "Uploads"."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from common.uploads import ImageRejected, image_validate
from tests.conftest import jpeg_bytes, png_bytes


def webp_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (0, 200, 0)).save(buffer, format="WEBP")
    return buffer.getvalue()


def bomb_png(width=20000, height=20000) -> bytes:
    """A tiny PNG that declares a huge canvas."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 100)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def rejected(data, name, **kwargs) -> str:
    with pytest.raises(ImageRejected) as info:
        image_validate(data=data, filename=name, **kwargs)
    return info.value.code


@pytest.mark.parametrize(
    "data,name",
    [
        (jpeg_bytes(), "look.jpg"),
        (jpeg_bytes(), "LOOK.JPEG"),
        (png_bytes(), "a.png"),
        (webp_bytes(), "a.webp"),
    ],
)
def test_jpeg_png_and_webp_are_accepted_and_reencoded_as_jpeg(data, name):
    image = image_validate(data=data, filename=name)
    assert image.content.startswith(b"\xff\xd8\xff")
    assert image.as_file().name.endswith(".jpg") and name not in image.as_file().name


def test_a_transparent_png_is_flattened_on_white():
    image = image_validate(data=png_bytes(mode="RGBA"), filename="t.png")
    assert Image.open(io.BytesIO(image.content)).mode == "RGB"


def test_a_file_over_the_size_limit_is_refused():
    assert rejected(jpeg_bytes(), "a.jpg", max_bytes=100) == "file_too_large"


def test_a_decompression_bomb_is_refused_before_decoding():
    assert rejected(bomb_png(), "bomb.png") == "too_many_pixels"


def test_a_100_megapixel_image_is_an_error_not_a_warning():
    assert rejected(bomb_png(10000, 10000), "big.png") == "too_many_pixels"


def test_a_truncated_jpeg_is_refused():
    data = jpeg_bytes(size=(400, 400), quality=95)
    assert rejected(data[: len(data) // 2], "cut.jpg") == "corrupt_image"


def test_text_named_png_is_refused():
    assert rejected(b"hello, I am not an image at all", "x.png") == "not_an_image"


@pytest.mark.parametrize("name", ["shell.php", "x.jpg.php", "x.png.html", "noextension"])
def test_an_image_under_a_dangerous_or_missing_extension_is_refused(name):
    assert rejected(png_bytes(), name) == "extension_mismatch"


def test_a_png_saved_with_a_jpg_name_is_accepted_and_stored_as_a_clean_jpeg():
    validated = image_validate(data=png_bytes(), filename="photo.jpg")
    assert validated.source_format == "PNG" and validated.content.startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize("name", ["photo.gif", "photo.txt", "photo.jpg.exe"])
def test_an_image_named_as_another_kind_of_file_is_refused(name):
    assert rejected(png_bytes(), name) == "extension_mismatch"


@pytest.mark.parametrize(
    "fmt,name",
    [("GIF", "a.gif"), ("TIFF", "a.tiff"), ("PDF", "a.pdf"), ("EPS", "a.eps"), ("PSD", "a.psd")],
)
def test_other_formats_are_refused_with_a_clear_code(fmt, name):
    if fmt == "PSD":
        data = b"8BPS\x00\x01" + b"\x00" * 64
    elif fmt == "EPS":
        data = b"%!PS-Adobe-3.0 EPSF-3.0\n"
    else:
        buffer = io.BytesIO()
        Image.new("RGB", (20, 20)).save(buffer, format=fmt)
        data = buffer.getvalue()
    code = rejected(data, name)
    assert code == "unsupported_format"


def test_an_empty_file_is_refused():
    assert rejected(b"", "a.jpg") == "empty_file"


def test_bytes_appended_to_an_image_are_not_stored():
    payload = b"<?php system($_GET['c']); ?>"
    image = image_validate(data=jpeg_bytes() + payload, filename="poly.jpg")
    assert payload not in image.content


def test_exif_orientation_is_applied_and_gps_metadata_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 0.0)}  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (80, 40), (255, 0, 0)).save(buffer, format="JPEG", exif=exif)
    image = image_validate(data=buffer.getvalue(), filename="rotated.jpg")
    stored = Image.open(io.BytesIO(image.content))
    assert stored.size == (40, 80)
    assert not stored.getexif()
    assert b"Exif" not in image.content[:200]


@pytest.mark.parametrize("name", ["a" * 300 + ".jpg", "../../etc/passwd.jpg", "사진 🌸.jpg"])
def test_hostile_file_names_are_never_used_for_storage(name):
    stored_name = image_validate(data=jpeg_bytes(), filename=name).as_file().name
    assert "/" not in stored_name and ".." not in stored_name and len(stored_name) == 36


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_comment_in_the_file_is_not_stored(fmt):
    """Pillow's JPEG writer copied a JPEG COM segment (or a PNG text chunk named "comment") into
    the re-encoded file: a location or an e-mail address in it was republished."""
    secret = b"lat=37.5665 lon=126.9780 owner=victim@example.com <script>x</script>"
    rng = np.random.default_rng(4)
    image = Image.fromarray((rng.random((96, 128, 3)) * 255).astype("uint8"))
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, format="JPEG", comment=secret)
    else:
        text = PngImagePlugin.PngInfo()
        text.add_text("comment", secret.decode())
        image.save(buffer, format="PNG", pnginfo=text)
    assert secret in buffer.getvalue()
    stored = image_validate(data=buffer.getvalue(), filename=f"look.{fmt.lower()}").content
    assert b"victim@example.com" not in stored and b"126.9780" not in stored
    assert Image.open(io.BytesIO(stored)).size == (128, 96)
