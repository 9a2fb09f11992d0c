"""The single image-upload validator used by the web form, the API, admin and imports.

The type comes from the magic bytes; the file name must end in an image extension we accept (a
PNG saved as .jpg is fine: what is stored is re-encoded anyway, and phones and tools rename
images; shell.php, x.jpg.php or a name without one are refused); a header that declares more
pixels than the file can hold is refused before decoding, and so is a JPEG with more scans than
any encoder writes (each scan costs a pass over the whole image); a JPEG whose scan data runs out
(the decoder would invent the rest) is refused, Pillow errors become clear validation errors with a
stable code. The decode and re-encode (common/image_decode.py) run in a decode process of this
web or worker process (common/decode_pool.py) with a time limit, never on the gevent event loop:
no step of a costly image, not even those that hold the GIL, can freeze the other connections of
a web worker. What is stored is a re-encoded, metadata-free JPEG under a generated name (so
appended payloads, EXIF GPS and hostile file names never survive). ValidatedImageField brings the
same to Django forms (admin change forms).
"""

import hashlib
import io
import sys
import threading
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext, gettext_noop
from PIL import Image

from common.decode_pool import DecodeBusy, DecodeFailed, DecodeTooSlow, decode_pool
from common.errors import ApplicationError
from common.image_decode import JPEG_SOS, DecodeRefused, decode_and_reencode, jpeg_markers

ACCEPTED_EXTENSIONS = {
    "JPEG": {".jpg", ".jpeg"},
    "PNG": {".png"},
    "WEBP": {".webp"},
}
IMAGE_EXTENSIONS = set().union(*ACCEPTED_EXTENSIONS.values())
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

# How many pixels one byte of a file can describe. Huffman-coded JPEG spends at least one bit
# on every 8x8 block of every component, so even a flat grey image holds <= 64 x 8 = 512 px per
# byte; deflate (PNG) compresses at most 1032:1, so an 8-bit RGB PNG holds <= 1032 x 8 / 24 px
# per byte. WebP has no such floor (a lossless flat canvas takes a few hundred bytes), so it gets
# a generous cap above what real photos reach (a flat white 12 MP lossy WebP: ~560 px per byte).
# A header claiming more is lying: the decoder would invent the rest (grey), at full memory cost.
JPEG_MAX_PIXELS_PER_BYTE = 512
DEFLATE_MAX_RATIO = 1032
WEBP_MAX_PIXELS_PER_BYTE = 1024
# Images this small are cheap to decode whatever their header says.
PLAUSIBILITY_FLOOR_PIXELS = 1_000_000
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class ImageRejected(ApplicationError):
    """An upload that is not an acceptable image; `code` is stable for clients.

    `message` is in the active language; `message_id` (English) and `params` are kept so that a
    stored report (an import's row errors) can show it again in its reader's language.
    """

    def __init__(self, message_id: str, params: dict | None = None, *, code: str):
        self.message_id, self.params = message_id, params or {}
        super().__init__(image_rejected_text(message_id, self.params), code=code)


def image_rejected_text(message_id: str, params: dict, translate=gettext) -> str:
    """An ImageRejected message from its English id and values (translated unless told not)."""
    text = translate(message_id)
    return text % params if params else text


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
        raise ImageRejected(gettext_noop("The file is empty."), code="empty_file")
    if len(data) > max_bytes:
        raise ImageRejected(
            gettext_noop("The file is larger than %(mb)d MB."),
            {"mb": max_bytes // (1024 * 1024)},
            code="file_too_large",
        )
    head = data[:16]
    detected = sniff_format(head)
    if detected is None:
        refused = _refused_format(head)
        if refused:
            raise ImageRejected(
                gettext_noop("%(fmt)s files are not accepted; upload a JPEG, PNG or WebP image."),
                {"fmt": refused},
                code="unsupported_format",
            )
        raise ImageRejected(
            gettext_noop("This file is not an image; upload a JPEG, PNG or WebP image."),
            code="not_an_image",
        )
    extension = PurePosixPath(filename or "").suffix.lower()
    if extension not in IMAGE_EXTENSIONS:
        raise ImageRejected(
            gettext_noop(
                "The file is a %(fmt)s image but its name does not end in .jpg, .jpeg, .png or "
                ".webp; rename it and upload it again."
            ),
            {"fmt": detected},
            code="extension_mismatch",
        )
    _header_check(data, detected, max_pixels)
    content, width, height = _decoded(data, detected, max_pixels)
    return ValidatedImage(
        content=content,
        width=width,
        height=height,
        source_format=detected,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _corrupt() -> ImageRejected:
    return ImageRejected(
        gettext_noop("The image is damaged or truncated and cannot be read."),
        code="corrupt_image",
    )


def _header_check(data: bytes, detected: str, max_pixels: int) -> None:
    """Read the header only and refuse, before any pixel is decoded, what would cost too much."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns about large images by default; here that is an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[detected])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(
            gettext_noop("The image has too many pixels."), code="too_many_pixels"
        ) from None
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError) as exc:
        raise _corrupt() from exc
    if image.width * image.height > max_pixels:
        raise ImageRejected(
            gettext_noop("The image has too many pixels (%(w)d x %(h)d)."),
            {"w": image.width, "h": image.height},
            code="too_many_pixels",
        )
    _plausibility_check(data, detected, image.width, image.height)
    if detected == "JPEG":
        _jpeg_scans_check(data)


def _decoded(data: bytes, detected: str, max_pixels: int) -> tuple[bytes, int, int]:
    """The costly part: pixels, the missing-data check, re-encoding (common/image_decode.py).

    In one of this process's UPLOAD_DECODE_PROCESSES decode processes; with 0, on a native thread
    of this process (a development machine that cannot start processes). Either way with the
    UPLOAD_DECODE_TIMEOUT and UPLOAD_DECODE_QUEUE_TIMEOUT limits. A refusal comes back as its
    code and is worded here, in this request's language.
    """
    try:
        if not settings.UPLOAD_DECODE_PROCESSES:
            return _off_the_event_loop(
                decode_and_reencode, data, detected=detected, max_pixels=max_pixels
            )
        decoded = decode_pool(settings.UPLOAD_DECODE_PROCESSES).decode(
            data,
            detected=detected,
            max_pixels=max_pixels,
            queue_timeout=settings.UPLOAD_DECODE_QUEUE_TIMEOUT,
            decode_timeout=settings.UPLOAD_DECODE_TIMEOUT,
        )
    except DecodeRefused as exc:
        raise _refusal(exc.code) from None
    except DecodeTooSlow:
        raise _too_slow() from None
    except DecodeBusy:
        raise _busy() from None
    except DecodeFailed:
        raise ImageRejected(
            gettext_noop(
                "The image could not be read: the process reading it stopped. Try again, or "
                "upload another image."
            ),
            code="decode_failed",
        ) from None
    return decoded.content, decoded.width, decoded.height


def _refusal(code: str) -> ImageRejected:
    if code == "too_many_pixels":
        return ImageRejected(gettext_noop("The image has too many pixels."), code=code)
    return _corrupt()  # "corrupt_image", the only other refusal of a decode


def _too_slow() -> ImageRejected:
    return ImageRejected(
        gettext_noop(
            "The image took too long to read; upload a smaller or simpler image "
            "(a JPEG saved as baseline, not progressive, reads fastest)."
        ),
        code="decode_too_slow",
    )


def _busy() -> ImageRejected:
    return ImageRejected(
        gettext_noop("The site is busy reading other images; try again in a minute."),
        code="decode_busy",
    )


# --- UPLOAD_DECODE_PROCESSES=0: decode threads inside this process ------------------------------

# How often a request waiting for its decode thread checks the time limits.
DECODE_POLL_SECONDS = 0.25
_threads_lock = threading.Lock()
_threads: dict[str, object] = {}


def _decode_threads():
    """Native decode threads, made lazily in each process (after gunicorn or Celery forks).

    Under gevent's monkey-patching a `threading.Thread` is a greenlet that would run the decode
    on the event loop itself; gevent's own ThreadPool holds real threads, and the loop keeps
    serving other connections while a decode runs there, except in the steps that hold the GIL
    (the decode processes have none of that).
    """
    kind = "gevent" if _gevent_patched() else "threads"
    with _threads_lock:
        if kind not in _threads:
            size = settings.UPLOAD_DECODE_THREADS
            if kind == "gevent":
                from gevent.threadpool import ThreadPool

                _threads[kind] = ThreadPool(size)
            else:
                _threads[kind] = ThreadPoolExecutor(size, thread_name_prefix="image-decode")
        return kind, _threads[kind]


def _gevent_patched() -> bool:
    if "gevent.monkey" not in sys.modules:
        return False
    return sys.modules["gevent.monkey"].is_module_patched("threading")


def _off_the_event_loop(function, *args, **kwargs):
    """Run `function` on a native decode thread of this process and return its result.

    Refused with `decode_too_slow` once it has run UPLOAD_DECODE_TIMEOUT seconds, and with
    `decode_busy` when no thread took it up within UPLOAD_DECODE_QUEUE_TIMEOUT (every thread busy
    with other uploads): a photo waiting its turn is not counted as slow. A thread cannot be
    stopped: one past the limit finishes in the background (bounded by the pixel and scan limits
    checked before), while the request gets its answer at the limit.
    """
    started: list[float] = []  # appended on the decode thread (atomic under the GIL)

    def timed():
        started.append(time.monotonic())
        return function(*args, **kwargs)

    kind, pool = _decode_threads()
    queued = time.monotonic()
    job = pool.spawn(timed) if kind == "gevent" else pool.submit(timed)
    while True:
        try:
            return _wait(kind, job, DECODE_POLL_SECONDS)
        except FutureTimeout:
            now = time.monotonic()
            if started and now - started[0] > settings.UPLOAD_DECODE_TIMEOUT:
                raise _too_slow() from None
            if not started and now - queued > settings.UPLOAD_DECODE_QUEUE_TIMEOUT:
                if kind == "threads":
                    job.cancel()
                raise _busy() from None


def _wait(kind: str, job, seconds: float):
    """The job's result, or FutureTimeout after `seconds` (a gevent wait yields to the loop)."""
    if kind == "gevent":
        import gevent

        try:
            return job.get(timeout=seconds)
        except gevent.Timeout:
            raise FutureTimeout from None
    return job.result(timeout=seconds)


def _max_pixels_per_byte(data: bytes, detected: str) -> float:
    if detected == "JPEG":
        return JPEG_MAX_PIXELS_PER_BYTE
    if detected == "PNG":  # IHDR: bit depth at byte 24, colour type at byte 25
        bits = data[24] * _PNG_CHANNELS.get(data[25], 1) if len(data) > 25 else 8
        return DEFLATE_MAX_RATIO * 8 / max(bits, 1)
    return WEBP_MAX_PIXELS_PER_BYTE


def _plausibility_check(data: bytes, detected: str, width: int, height: int) -> None:
    """Refuse, before decoding, a header that declares more pixels than the file can hold."""
    pixels = width * height
    if pixels > PLAUSIBILITY_FLOOR_PIXELS and pixels > len(data) * _max_pixels_per_byte(
        data, detected
    ):
        raise ImageRejected(
            gettext_noop(
                "The image claims %(w)d x %(h)d pixels, far more than a file of this size can hold."
            ),
            {"w": width, "h": height},
            code="implausible_dimensions",
        )


def _jpeg_scans_check(data: bytes) -> None:
    """Refuse a JPEG with more scans (SOS markers) than UPLOAD_JPEG_MAX_SCANS, before decoding.

    Every scan is a pass over the whole image: a 40-megapixel progressive JPEG of one DC scan and
    thousands of near-empty AC scans is under 500 KB yet costs seconds of CPU (issue 21).
    Encoders write 1 scan (baseline) or about 10 (libjpeg's progressive script).
    """
    limit = settings.UPLOAD_JPEG_MAX_SCANS
    scans = 0
    for marker, _pos in jpeg_markers(data):
        scans += marker == JPEG_SOS
        if scans > limit:
            raise ImageRejected(
                gettext_noop(
                    "The JPEG is split into more than %(limit)d scans, which no camera or editor "
                    "writes; save it again as an ordinary JPEG."
                ),
                {"limit": limit},
                code="too_many_scans",
            )


def uploaded_file_read(uploaded, *, max_bytes: int | None = None) -> bytes:
    """Read an UploadedFile without holding more than the limit (plus one byte) in memory."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    return data


class ValidatedImageField(forms.FileField):
    """A form field whose upload goes through image_validate and comes out re-encoded.

    The cleaned value is the re-encoded JPEG under a generated name, ready for a model
    ImageField; a refused upload is a form error with the validator's message.
    """

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        try:
            validated = image_validate(
                data=uploaded_file_read(uploaded), filename=getattr(uploaded, "name", "")
            )
        except ImageRejected as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        return validated.as_file()
