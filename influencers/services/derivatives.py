"""Classification derivatives: the small copy of each post image that classification reads.

Re-classifying a catalogue decodes every post image again, and decoding an 800 px original costs a
CPU more than the model's int8 forward pass. The first classification of an image stores the part
the model sees (mlcore.images.classification_derivative, a few kilobytes) beside it; every later
one reads that instead. The copy is named after its original (stored names are never reused for
other content) and goes wherever the original goes (post_image_files_delete_on_commit).
"""

import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction

from influencers.constants import CLASSIFICATION_DERIVATIVE_PREFIX, CLASSIFICATION_DERIVATIVE_SIDE
from influencers.models import Post
from mlcore.images import ImageDecodeError, classification_derivative
from mlcore.preprocessing import Preprocessing, derivative_serves

log = logging.getLogger(__name__)
JPEG_END = b"\xff\xd9"


def derivative_name(name: str) -> str:
    return CLASSIFICATION_DERIVATIVE_PREFIX + name


def _storage():
    return Post._meta.get_field("image").storage


def post_image_classification_loader(
    name: str, *, preprocessing: Preprocessing
) -> Callable[[], bytes]:
    """Reads what classification needs of a stored post image, when called (in a decode thread).

    A model the derivative serves (mlcore.preprocessing.derivative_serves) reads the derivative,
    made and stored on first use, so the result is the same whether or not it existed; any other
    model reads the original.
    """
    storage = _storage()

    def load_original() -> bytes:
        with storage.open(name, "rb") as fp:
            return fp.read()

    if not derivative_serves(preprocessing, CLASSIFICATION_DERIVATIVE_SIDE):
        return load_original

    def load() -> bytes:
        small = _derivative_read(name)
        if small is not None:
            return small
        original = load_original()
        try:
            small = classification_derivative(original, short_side=CLASSIFICATION_DERIVATIVE_SIDE)
        except ImageDecodeError:
            return original  # the classifier says why it cannot be read
        _derivative_store(name, small)
        return small

    return load


def _derivative_read(name: str) -> bytes | None:
    """The stored derivative, or None when it has to be made (again).

    A copy without JPEG's end marker is one a killed worker left half written, or one another
    worker is still writing (local storage writes in place): it is made again from the original,
    never passed on as a corrupt image.
    """
    storage = _storage()
    try:
        with storage.open(derivative_name(name), "rb") as fp:
            small = fp.read()
    except FileNotFoundError:
        return None
    except Exception:  # a copy that cannot be read is made again from its original
        log.warning("derivative of %s unreadable; making it again", name, exc_info=True)
        return None
    if small.endswith(JPEG_END):
        return small
    log.warning("derivative of %s incomplete; making it again", name)
    storage.delete(derivative_name(name))
    return None


def _derivative_store(name: str, small: bytes) -> None:
    storage = _storage()
    wanted = derivative_name(name)
    try:
        stored = storage.save(wanted, ContentFile(small))
        if stored != wanted:  # another worker stored it first: keep one copy
            storage.delete(stored)
        elif not storage.exists(name):  # the post went while this one was made
            storage.delete(stored)
    except Exception:  # storage refused the copy: this classification goes on without it
        log.warning("derivative of %s not stored", name, exc_info=True)


def post_image_files_delete_on_commit(*, names) -> None:
    """Delete stored post images and their derivatives once the current transaction commits
    (never if it rolls back)."""
    storage = _storage()
    for name in names:
        if name:
            # robust: one storage error must not skip the other files' callbacks
            transaction.on_commit(lambda name=name: _files_delete(storage, name), robust=True)


def post_image_files_delete(*, names) -> None:
    """Delete stored post images and their derivatives now (files of a rolled-back import)."""
    storage = _storage()
    for name in names:
        if name:
            _files_delete(storage, name)


def _files_delete(storage, name: str) -> None:
    storage.delete(name)
    storage.delete(derivative_name(name))
