"""The recommender's part of a user's data (export, withdrawal) and the retention of query photos.

A query photo goes with its cached thumbnail; query photos have no other derivative.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.media import media_files_delete_on_commit
from common.thumbnails import thumbnail_forget
from recommender.constants import HISTORY_THUMBNAIL_PIXELS
from recommender.models import RecommendationRequest

RETENTION_BATCH = 500


def recommendations_export(*, user) -> list[dict]:
    return [
        {
            "id": request.pk,
            "created_at": request.created_at.isoformat(),
            "mode": request.mode,
            "ranking": request.ranking,
            "gender": request.gender,
            "body_size": request.body_size,
            "status": request.status,
            "photo": f"photos/{request.image.name}" if request.image else None,
            "photo_deleted_at": (
                request.photo_deleted_at.isoformat() if request.photo_deleted_at else None
            ),
            "predicted_style": request.predicted_style,
            "confidence": request.confidence,
            "style_distribution": request.style_distribution,
            "model": request.model_label,
            "results": request.results,
            "failure": request.failure_code,
        }
        for request in RecommendationRequest.objects.filter(user=user)
        .order_by("created_at", "id")
        .iterator()
    ]


def recommendation_files(*, user) -> list[str]:
    return [
        name
        for name in RecommendationRequest.objects.filter(user=user)
        .exclude(image="")
        .values_list("image", flat=True)
        if name
    ]


def recommendations_delete(*, user) -> int:
    """Inside a transaction: the user's requests; their photos and thumbnails after commit."""
    names = recommendation_files(user=user)
    RecommendationRequest.objects.filter(user=user).delete()
    query_photos_delete_on_commit(names=names)
    return len(names)


def query_photos_delete_on_commit(*, names) -> None:
    media_files_delete_on_commit(names=names)
    for name in names:
        transaction.on_commit(
            lambda name=name: thumbnail_forget(name=name, size=HISTORY_THUMBNAIL_PIXELS),
            robust=True,
        )


def query_photos_expire(*, now=None) -> int:
    """Delete the uploaded photos older than QUERY_PHOTO_RETENTION_DAYS; the requests and their
    results stay, marked with when the photo went. Idempotent: a second run finds nothing."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.QUERY_PHOTO_RETENTION_DAYS)
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                RecommendationRequest.objects.select_for_update(skip_locked=True)
                .filter(created_at__lt=cutoff)
                .exclude(image="")
                .values_list("pk", "image")[:RETENTION_BATCH]
            )
            if not batch:
                return expired
            RecommendationRequest.objects.filter(pk__in=[pk for pk, _ in batch]).update(
                image="", photo_deleted_at=now
            )
            query_photos_delete_on_commit(names=[name for _, name in batch])
        expired += len(batch)
