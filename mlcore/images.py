"""Image decoding shared by training, evaluation and inference."""

import io
import warnings
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageOps

ImageSource = str | Path | bytes
# A source read only when it is decoded (in a decode thread): a stored file, for example.
ImageLoader = Callable[[], bytes]

DEFAULT_MAX_PIXELS = 60_000_000


class ImageDecodeError(ValueError):
    """The source is not a readable image; the message says why."""


def image_open(
    source: ImageSource, *, draft_size: int | None = None, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """Decode to RGB with EXIF orientation applied.

    draft_size lets JPEG decode at a reduced scale (DCT scaling) when the network only needs
    that many pixels on the short side: the largest single speed-up of the CPU pipeline.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            fp = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
            with fp:
                image = Image.open(fp)
                if image.width * image.height > max_pixels:
                    raise ImageDecodeError(f"too many pixels ({image.width}x{image.height})")
                if draft_size and image.format == "JPEG":
                    # Keep the short side >= draft_size after orientation.
                    scale = draft_size / min(image.size)
                    image.draft(
                        "RGB", (int(image.width * scale) + 1, int(image.height * scale) + 1)
                    )
                image.load()
                image = ImageOps.exif_transpose(image)
                return image.convert("RGB")
    except ImageDecodeError:
        raise
    except FileNotFoundError as exc:
        raise ImageDecodeError(f"missing file: {exc.filename}") from exc
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as exc:
        raise ImageDecodeError(f"unreadable image: {exc}") from exc


# JPEG quality of a classification derivative: re-encoding at 95 moves the model's probabilities
# by about a thousandth (docs/benchmarks.md) while decoding costs a fraction of the original's.
DERIVATIVE_JPEG_QUALITY = 95


def classification_derivative_image(source: ImageSource, *, short_side: int) -> Image.Image:
    """The part of a photo a model resizing to `short_side` can see: a short_side square.

    Upright (EXIF applied), RGB, resized as evaluation resizes (torchvision's Resize, which also
    enlarges a smaller photo), then the central square: evaluation cuts its input from the centre,
    so the rest of the long side is never seen. preprocessing.derivative_serves says which models
    get exactly their pixels from it.
    """
    # torchvision only here: the web stack imports this module and starts without torch.
    from torchvision.transforms import functional

    image = functional.resize(image_open(source, draft_size=short_side), short_side)
    return functional.center_crop(image, [short_side, short_side])


def classification_derivative(source: ImageSource, *, short_side: int) -> bytes:
    """classification_derivative_image as a JPEG of a few kilobytes.

    Decoding an 800 px original costs a CPU more than its int8 forward pass; decoding this costs
    a fraction of it, and re-classifying a whole catalogue pays that for every image.
    """
    out = io.BytesIO()
    classification_derivative_image(source, short_side=short_side).save(
        out, "JPEG", quality=DERIVATIVE_JPEG_QUALITY
    )
    return out.getvalue()
