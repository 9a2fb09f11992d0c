"""An upload's pixels decoded, checked and re-encoded: the costly part of common/uploads.py.

No Django here: it runs in a decode process (`python -m common.image_decode FD`, started and
stopped by common/decode_pool.py), which imports Pillow and this module only, or on a thread of
the web process where the settings ask for that (UPLOAD_DECODE_PROCESSES=0). It takes the bytes
and the limits as arguments and gives back JPEG bytes and dimensions, or DecodeRefused with one
of common/uploads.py's ImageRejected codes (the caller words the message, in its request's
language).

Between the web process and a decode process: length-prefixed frames on a socket. A request is a
JSON header ({"format", "max_pixels"}) and the image; a reply is a JSON header ({"width",
"height"}, or {"refused": code} or {"error": traceback}) and the JPEG (empty unless
accepted). JSON, not pickle: the process that parses hostile images must not be able to make the
web process run code by what it answers.
"""

import ctypes
import io
import json
import signal
import socket
import struct
import sys
import time
import traceback
import warnings

from PIL import Image, ImageChops, ImageOps

STORED_MAX_SIDE = 2048
# Entropy-coded bytes that are never a marker: fed to libjpeg after the scan data (see below).
_JPEG_FILLER = bytes((i * 131 + 7) % 255 for i in range(4096))
JPEG_SOS, JPEG_EOI = 0xDA, 0xD9

_LENGTH = struct.Struct(">Q")
# What one frame may hold: an upload is at most UPLOAD_MAX_BYTES (10 MB by default), a stored
# JPEG of 2048 px a side a few MB. A bigger length is a broken or hostile peer.
FRAME_MAX_BYTES = 256 * 1024 * 1024


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


# --- frames on the socket between the web process and a decode process ---------------------------


def frames_send(sock: socket.socket, *parts: bytes, deadline: float | None = None) -> None:
    """Send each part with its length in front (by `deadline`, time.monotonic(), when given)."""
    for part in parts:
        for chunk in (_LENGTH.pack(len(part)), part):
            view = memoryview(chunk)
            while view:
                _timeout_set(sock, deadline)
                view = view[sock.send(view) :]


def frame_recv(sock: socket.socket, *, deadline: float | None = None) -> bytes:
    """One frame's bytes; EOFError when the peer has closed its end (or died)."""
    (size,) = _LENGTH.unpack(_recv_exactly(sock, _LENGTH.size, deadline))
    if size > FRAME_MAX_BYTES:
        raise EOFError(f"a frame of {size} bytes")
    return _recv_exactly(sock, size, deadline)


def _recv_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        _timeout_set(sock, deadline)
        received = sock.recv_into(view[got:])
        if not received:
            raise EOFError("the other end closed the connection")
        got += received
    return bytes(buffer)


def _timeout_set(sock: socket.socket, deadline: float | None) -> None:
    if deadline is None:
        return
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    sock.settimeout(left)


# --- the decode process ---------------------------------------------------------------------------


def _memory_release() -> None:
    """Give the pages of the last image back to the system (glibc keeps freed heap memory: an idle
    process that had decoded 40 megapixels held 180 MB instead of 20)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def serve(fd: int) -> None:
    """Decode images sent on the socket `fd`, one at a time, until the web process closes it."""
    # Ctrl-C on a development server reaches the whole process group: the server stops, and with
    # it the socket, which ends this loop without a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=fd)
    # A socketpair made under gevent is non-blocking, and that flag came with the descriptor.
    sock.setblocking(True)
    while True:
        try:
            header = json.loads(frame_recv(sock))
            data = frame_recv(sock)
        except EOFError:
            return
        content = b""
        try:
            content, width, height = decode_and_reencode(
                data, detected=str(header["format"]), max_pixels=int(header["max_pixels"])
            )
            reply = {"width": width, "height": height}
        except DecodeRefused as exc:
            reply = {"refused": exc.code}
        except Exception:  # a bug or MemoryError: the web process logs it and refuses the image
            reply = {"error": traceback.format_exc(limit=8)}
        try:
            frames_send(sock, json.dumps(reply).encode(), content)
        except OSError:  # the web process gave up on this image (time limit) or went away
            return
        del header, data, content
        _memory_release()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
