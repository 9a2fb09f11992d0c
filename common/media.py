"""Serving local media safely: only stored images, with nosniff and an image content type."""

import mimetypes
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.db import transaction
from django.dispatch import Signal
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

_SAFE_TYPES = {"image/jpeg", "image/png", "image/webp"}
_PUBLIC_PREFIXES = ("posts/", "profiles/", "wordclouds/")
# Private prefixes and who may read a file under them: its owner ((user, stored name) -> bool) and
# staff holding the view permission of the rows it belongs to. Apps register their own at
# start-up, so this module never imports them.
_PRIVATE_OWNERS: dict[str, tuple[Callable, str]] = {}
# Sent when staff read a private file that is not their own (sender: the reading path, e.g.
# "media" or "admin"; user, name): the accounts app records each such access.
private_media_read_by_staff = Signal()


def private_media_register(*, prefix: str, is_owner: Callable, staff_permission: str) -> None:
    _PRIVATE_OWNERS[prefix] = (is_owner, staff_permission)


@require_GET
def media_serve(request, name: str):
    """Catalogue images are public; a private image (a user's query) only to its owner and to
    staff allowed to view the rows it belongs to."""
    if ".." in name.split("/") or name.startswith("/"):
        raise Http404
    content_type = mimetypes.guess_type(name)[0]
    if content_type not in _SAFE_TYPES:
        raise Http404
    if not name.startswith(_PUBLIC_PREFIXES) and not _may_read_private(request.user, name):
        raise Http404
    if not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _may_read_private(user, name: str) -> bool:
    if not user.is_authenticated:
        return False
    for prefix, (is_owner, staff_permission) in _PRIVATE_OWNERS.items():
        if name.startswith(prefix):
            if is_owner(user, name):
                return True
            if user.is_staff and user.has_perm(staff_permission):
                private_media_read_by_staff.send(sender="media", user=user, names=[name])
                return True
            return False
    return False


def media_files_delete_on_commit(*, names) -> None:
    """Delete stored files once the current transaction commits (never if it rolls back); one
    storage error does not keep the other files."""
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: default_storage.delete(name), robust=True)
