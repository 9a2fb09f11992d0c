"""Small JPEG derivatives of stored images, for lists that show many of them at a few dozen pixels."""

import io
import logging

from django.core.cache import cache
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

log = logging.getLogger(__name__)
THUMBNAIL_CACHE_SECONDS = 7 * 24 * 3600


def thumbnail_jpeg(*, name: str, size: int) -> bytes:
    """The stored image `name` fitted into size x size pixels, as a JPEG, kept in the cache.

    Stored names are generated and never reused for other content, so a cached thumbnail stays
    right; with S3 storage this saves downloading the whole upload on every history page.
    """
    key = f"thumbnail:{size}:{name}"
    try:
        small = cache.get(key)
    except Exception:  # the cache (Redis) is down: make it, as without a cache
        log.warning("thumbnail cache unreachable; making %s", name, exc_info=True)
        return _thumbnail_make(name=name, size=size)
    if small is None:
        small = _thumbnail_make(name=name, size=size)
        try:
            cache.set(key, small, THUMBNAIL_CACHE_SECONDS)
        except Exception:
            log.warning("thumbnail cache unreachable; %s not kept", name, exc_info=True)
    return small


def _thumbnail_make(*, name: str, size: int) -> bytes:
    """The stored image `name` fitted into size x size pixels, as a JPEG.

    JPEG draft mode decodes at 1/2 to 1/8 scale straight from the DCT, so even a 40-megapixel
    upload costs a few milliseconds; stored images are already validated and re-encoded.
    """
    with default_storage.open(name, "rb") as stored, Image.open(stored) as image:
        image.draft("RGB", (size, size))
        small = ImageOps.exif_transpose(image).convert("RGB")
        small.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def thumbnail_forget(*, name: str, size: int) -> None:
    """Drop the cached thumbnail of `name` (its image was deleted: nothing of it stays)."""
    try:
        cache.delete(f"thumbnail:{size}:{name}")
    except Exception:  # the cache is down: the entry expires with THUMBNAIL_CACHE_SECONDS
        log.warning("thumbnail cache unreachable; %s not forgotten", name, exc_info=True)
