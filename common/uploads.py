"""The single image-upload validator used by the web form, the API, admin and imports.

The type comes from the magic bytes, the extension must agree, Pillow errors become clear
validation errors with a stable code, and what is stored is a re-encoded, metadata-free JPEG
under a generated name (so appended payloads, EXIF GPS and hostile file names never survive).
"""

import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from common.errors import ApplicationError

ACCEPTED_EXTENSIONS = {
    "JPEG": {".jpg", ".jpeg"},
    "PNG": {".png"},
    "WEBP": {".webp"},
}
# Known but refused formats, named so the user learns why.
_REFUSED_SIGNATURES = [
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"8BPS", "PSD"),
    (b"%PDF", "PDF"),
    (b"%!PS", "EPS"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"BM", "BMP"),
]
STORED_MAX_SIDE = 2048


class ImageRejected(ApplicationError):
    """An upload that is not an acceptable image; `code` is stable for clients."""


@dataclass(frozen=True)
class ValidatedImage:
    content: bytes
    width: int
    height: int
    source_format: str
    sha256: str

    def as_file(self) -> ContentFile:
        """A file under a generated name: user-supplied names are never used for storage."""
        return ContentFile(self.content, name=f"{uuid.uuid4().hex}.jpg")


def sniff_format(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _refused_format(head: bytes) -> str | None:
    for signature, name in _REFUSED_SIGNATURES:
        if head.startswith(signature):
            return name
    return None


def image_validate(
    *,
    data: bytes,
    filename: str,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> ValidatedImage:
    """Check an uploaded image and return its re-encoded form, or raise ImageRejected."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    max_pixels = max_pixels or settings.UPLOAD_MAX_PIXELS
    if not data:
        raise ImageRejected(_("The file is empty."), code="empty_file")
    if len(data) > max_bytes:
        raise ImageRejected(
            _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)},
            code="file_too_large",
        )
    head = data[:16]
    detected = sniff_format(head)
    if detected is None:
        refused = _refused_format(head)
        if refused:
            raise ImageRejected(
                _("%(fmt)s files are not accepted; upload a JPEG, PNG or WebP image.")
                % {"fmt": refused},
                code="unsupported_format",
            )
        raise ImageRejected(
            _("This file is not an image; upload a JPEG, PNG or WebP image."),
            code="not_an_image",
        )
    extension = PurePosixPath(filename or "").suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS[detected]:
        raise ImageRejected(
            _("The file name's extension does not match its content (%(fmt)s).")
            % {"fmt": detected},
            code="extension_mismatch",
        )
    image = _decode(data, detected, max_pixels)
    content = _reencode(image)
    return ValidatedImage(
        content=content,
        width=image.width,
        height=image.height,
        source_format=detected,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _decode(data: bytes, detected: str, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns about large images by default; here that is an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[detected])
            if image.width * image.height > max_pixels:
                raise ImageRejected(
                    _("The image has too many pixels (%(w)d x %(h)d).")
                    % {"w": image.width, "h": image.height},
                    code="too_many_pixels",
                )
            image.load()
            image = ImageOps.exif_transpose(image)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_("The image has too many pixels."), code="too_many_pixels") from None
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError) as exc:
        raise ImageRejected(
            _("The image is damaged or truncated and cannot be read."), code="corrupt_image"
        ) from exc
    return image


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
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, optimize=True)  # no exif= : metadata dropped
    return buffer.getvalue()


def uploaded_file_read(uploaded, *, max_bytes: int | None = None) -> bytes:
    """Read an UploadedFile without holding more than the limit (plus one byte) in memory."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    return data
