"""Serving local media safely: only stored images, with nosniff and an image content type."""

import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

_SAFE_TYPES = {"image/jpeg", "image/png", "image/webp"}
_PUBLIC_PREFIXES = ("posts/", "profiles/", "wordclouds/")


@require_GET
def media_serve(request, name: str):
    """Catalogue images are public; a query image is served only to its owner."""
    if ".." in name.split("/") or name.startswith("/"):
        raise Http404
    content_type = mimetypes.guess_type(name)[0]
    if content_type not in _SAFE_TYPES:
        raise Http404
    if not name.startswith(_PUBLIC_PREFIXES):
        if not (name.startswith("queries/") and _owns_query_image(request, name)):
            raise Http404
    if not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _owns_query_image(request, name: str) -> bool:
    from recommender.models import RecommendationRequest

    user = request.user
    return user.is_authenticated and (
        user.is_staff or RecommendationRequest.objects.filter(user=user, image=name).exists()
    )
