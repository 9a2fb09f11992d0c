"""An upload's pixels decoded, checked and re-encoded: the costly part of common/uploads.py.

No Django here: it takes the bytes and the limits as arguments and gives back JPEG bytes and
dimensions, or DecodeRefused with one of common/uploads.py's ImageRejected codes (the caller words
the message, in its request's language).
"""

import io
import warnings

from PIL import Image, ImageChops, ImageOps

STORED_MAX_SIDE = 2048
# Entropy-coded bytes that are never a marker: fed to libjpeg after the scan data (see below).
_JPEG_FILLER = bytes((i * 131 + 7) % 255 for i in range(4096))
JPEG_SOS, JPEG_EOI = 0xDA, 0xD9


class DecodeRefused(Exception):
    """The image cannot be used; `code` is the ImageRejected code common/uploads.py words."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def decode_and_reencode(data: bytes, *, detected: str, max_pixels: int) -> tuple[bytes, int, int]:
    """Pixels, the missing-scan-data check and re-encoding: (JPEG bytes, width, height).

    The header was already checked by the caller (type, pixels, plausibility, JPEG scans); the
    pixel limit is checked again here, where the pixels are decoded.
    """
    try:
        with warnings.catch_warnings():
            # Pillow only warns about large images by default; here that is an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[detected])
        if image.width * image.height > max_pixels:
            raise DecodeRefused("too_many_pixels")
        image.load()
        if detected == "JPEG" and jpeg_scan_data_missing(data, image):
            raise DecodeRefused("corrupt_image")
        image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DecodeRefused("too_many_pixels") from None
    except (OSError, SyntaxError, ValueError) as exc:  # UnidentifiedImageError is an OSError
        raise DecodeRefused("corrupt_image") from exc
    return _reencode(image), image.width, image.height


def jpeg_markers(data: bytes):
    """(marker, offset) of each marker of a JPEG up to its EOI, skipping segments and scan data;
    stops early, without an EOI, where the structure breaks."""
    pos, size = 2, len(data)
    while pos + 1 < size:
        if data[pos] != 0xFF:
            return
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        yield marker, pos
        if marker == JPEG_EOI:
            return
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        if pos + 4 > size:
            return
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == JPEG_SOS:  # a scan: entropy-coded bytes until the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    return
                following = data[pos + 1]
                if following == 0xFF:
                    pos += 1
                elif following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                else:
                    break


def _jpeg_end_of_image(data: bytes) -> int | None:
    """Offset of the EOI marker that ends the JPEG (anything appended after it is ignored)."""
    for marker, pos in jpeg_markers(data):
        if marker == JPEG_EOI:
            return pos
    return None


def _jpeg_probe_decode(data: bytes, *, progressive: bool) -> Image.Image:
    """At 1/8 scale (the DC coefficients only, cheap) for a baseline JPEG, whose scan holds every
    coefficient of a block together; at full scale for a progressive one, whose later scans
    refine only the higher frequencies that 1/8 scale never reads."""
    image = Image.open(io.BytesIO(data), formats=["JPEG"])
    if not progressive:
        image.draft(image.mode, (max(image.width // 8, 1), max(image.height // 8, 1)))
    image.load()
    return image


def jpeg_scan_data_missing(data: bytes, decoded: Image.Image) -> bool:
    """Whether libjpeg ran out of scan data and made up the rest (it warns, Pillow stays silent).

    A JPEG cut short and closed with an end marker decodes with its missing part grey (baseline)
    or its missing detail zeroed (progressive). Decoded as sent and once more with filler bytes
    before the end marker: a complete image never reads the filler, one short of data decodes
    it, and the two pictures differ. `decoded` is the file as sent, already decoded at full
    scale: a progressive file is compared with it, so it costs one more decode, not two.
    """
    end = _jpeg_end_of_image(data)
    if end is None:
        return False  # no end marker: Pillow itself refuses it as truncated
    probe = data[:end] + _JPEG_FILLER + data[end:]
    progressive = bool(decoded.info.get("progressive"))
    try:
        as_sent = decoded if progressive else _jpeg_probe_decode(data, progressive=False)
        padded = _jpeg_probe_decode(probe, progressive=progressive)
    except (OSError, SyntaxError, ValueError):
        return True
    return ImageChops.difference(as_sent, padded).getbbox() is not None


def _reencode(image: Image.Image) -> bytes:
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    if max(image.size) > STORED_MAX_SIDE:
        image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE), Image.Resampling.LANCZOS)
    # convert() keeps `info`, and Pillow's JPEG writer copies a comment from it (a JPEG COM
    # segment, a PNG text chunk named "comment"): only the pixels go on.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, optimize=True)  # no exif= : metadata dropped
    return buffer.getvalue()
