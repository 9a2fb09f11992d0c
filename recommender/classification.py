"""Post classification with the active style model, in claimed batches."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.vectors import vector_to_bytes
from influencers.models import NO_IMAGE, ClassificationStatus, Post
from influencers.profiles import influencer_profiles_rebuild
from mlcore.inference import StylePrediction
from recommender.models import ModelVersion
from recommender.registry import active_model_version, classifier_for

log = logging.getLogger(__name__)
Status = ClassificationStatus


def posts_classification_queue(*, post_ids, model_version_id: int | None = None) -> int:
    """Queue posts for classification in batches, after the current transaction commits."""
    from recommender.tasks import posts_classify_batch_task

    post_ids = sorted(set(post_ids))
    version_id = model_version_id or getattr(active_model_version(), "pk", None)
    if not post_ids or version_id is None:
        return 0  # without a model they stay pending; activating one queues them
    size = settings.CLASSIFY_BATCH_SIZE
    batches = [post_ids[i : i + size] for i in range(0, len(post_ids), size)]
    for batch in batches:
        transaction.on_commit(lambda b=batch: _enqueue(posts_classify_batch_task, b, version_id))
    return len(batches)


def _enqueue(task, post_ids: list[int], version_id: int) -> None:
    try:
        task.delay(post_ids, version_id)
    except Exception as exc:  # broker down: the reconciler re-queues pending posts later
        log.warning("could not queue %d posts for classification: %s", len(post_ids), exc)


def posts_reclassify_all(*, model_version_id: int) -> int:
    """Mark every post with an image for re-classification and queue them all."""
    with_image = Post.objects.exclude(image="")
    with_image.update(classification_status=Status.PENDING, classification_claimed_at=None)
    ids = list(with_image.values_list("pk", flat=True))
    return posts_classification_queue(post_ids=ids, model_version_id=model_version_id)


def posts_classify_batch(*, post_ids: list[int], model_version_id: int) -> dict:
    """Claim the batch's pending posts, classify them, store results, rebuild their profiles.

    A post another worker claimed, or one already done, is skipped; an unreadable image marks only
    that post as unclassifiable with the reason.
    """
    version = ModelVersion.objects.filter(pk=model_version_id, is_active=True).first()
    if version is None:
        return {"skipped": "model version no longer active"}
    token = timezone.now()  # the claim: only rows stamped with this instant are ours
    claimed = Post.objects.filter(pk__in=post_ids, classification_status=Status.PENDING).update(
        classification_status=Status.RUNNING, classification_claimed_at=token
    )
    if not claimed:
        return {"classified": 0, "unclassifiable": 0}
    posts = list(
        Post.objects.filter(
            pk__in=post_ids, classification_status=Status.RUNNING, classification_claimed_at=token
        )
    )
    classifier = classifier_for(version)
    with_image = [p for p in posts if p.image]
    sources = []
    for post in with_image:
        try:
            with post.image.open("rb") as fp:
                sources.append(fp.read())
        except OSError as exc:
            sources.append(b"")
            log.warning("post %s image unreadable: %s", post.pk, exc)
    results = classifier.predict(sources, batch_size=settings.CLASSIFY_BATCH_SIZE)
    now = timezone.now()
    counts = {"classified": 0, "unclassifiable": 0}
    for post, result in zip(with_image, results, strict=True):
        post.model_version_id = version.pk
        post.classified_at = now
        if isinstance(result, StylePrediction):
            post.classification_status = Status.DONE
            post.predicted_style = result.top_style
            post.style_confidence = result.confidence
            post.style_probabilities = vector_to_bytes(result.probabilities)
            post.embedding = vector_to_bytes(result.embedding)
            post.unclassifiable_reason = ""
            counts["classified"] += 1
        else:
            _mark_unclassifiable(post, f"corrupt image: {result.reason}"[:255])
            counts["unclassifiable"] += 1
    for post in posts:
        if not post.image:
            _mark_unclassifiable(post, "no image")
            post.predicted_style = NO_IMAGE
            counts["unclassifiable"] += 1
    with transaction.atomic():
        Post.objects.bulk_update(
            posts,
            [
                "classification_status",
                "predicted_style",
                "style_confidence",
                "style_probabilities",
                "embedding",
                "model_version",
                "classified_at",
                "unclassifiable_reason",
            ],
        )
        influencer_profiles_rebuild(influencer_ids={p.influencer_id for p in posts})
    return counts


def _mark_unclassifiable(post: Post, reason: str) -> None:
    post.classification_status = Status.UNCLASSIFIABLE
    post.predicted_style = ""
    post.style_confidence = None
    post.style_probabilities = None
    post.embedding = None
    post.unclassifiable_reason = reason


def posts_classification_reconcile(*, older_than_seconds: int = 900) -> int:
    """Re-queue posts stuck in running (a killed worker) or pending with no task in flight."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    stuck = Post.objects.filter(
        Q(classification_status=Status.RUNNING, classification_claimed_at__lt=cutoff)
        | Q(classification_status=Status.PENDING, updated_at__lt=cutoff)
    ).exclude(image="")
    ids = list(stuck.values_list("pk", flat=True))
    Post.objects.filter(pk__in=ids).update(
        classification_status=Status.PENDING, classification_claimed_at=None
    )
    posts_classification_queue(post_ids=ids)
    return len(ids)


def classification_progress(version: ModelVersion) -> dict:
    """How far re-classification with this version has come (for admin)."""
    with_image = Post.objects.exclude(image="")
    total = with_image.count()
    done = with_image.filter(
        model_version=version, classification_status__in=[Status.DONE, Status.UNCLASSIFIABLE]
    ).count()
    return {"done": done, "total": total, "percent": round(100 * done / total, 1) if total else 100}
