"""Post classification with the active style model, in claimed batches."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.jobs import claim, deadline_passed_before, enqueue_on_commit
from common.styles import NO_IMAGE
from common.vectors import vector_to_bytes
from influencers.models import ClassificationStatus, Post
from influencers.selectors import post_images
from influencers.services.profiles import influencer_profiles_rebuild
from mlcore.inference import StylePrediction, predictions_mean
from recommender.models import ModelVersion
from recommender.services.classifiers import active_model_version, classifier_for
from recommender.tasks import posts_classify_batch_task

log = logging.getLogger(__name__)
Status = ClassificationStatus


def posts_classification_queue(*, post_ids, model_version_id: int | None = None) -> int:
    """Stamp posts as queued and send them in batches once the current transaction commits.

    Without an active model they stay pending (unstamped); activating one queues them.
    """
    post_ids = sorted(set(post_ids))
    version_id = model_version_id or getattr(active_model_version(), "pk", None)
    if not post_ids or version_id is None:
        return 0
    size = settings.CLASSIFY_BATCH_SIZE
    batches = [post_ids[i : i + size] for i in range(0, len(post_ids), size)]
    now = timezone.now()
    for batch in batches:
        Post.objects.filter(pk__in=batch).update(classification_queued_at=now)
        enqueue_on_commit(posts_classify_batch_task, batch, version_id)
    return len(batches)


def posts_classification_requested(sender, *, post_ids, **kwargs) -> None:
    """Receiver of influencers.signals.posts_need_classification (connected in apps.py)."""
    posts_classification_queue(post_ids=post_ids)


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
    claimed = claim(
        Post.objects.filter(pk__in=post_ids),
        field="classification_status",
        source=Status.PENDING,
        target=Status.RUNNING,
        classification_claimed_at=token,
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
    images_of = post_images(posts=with_image)  # a carousel's images, cover first
    sources = []
    for post, images in zip(with_image, images_of, strict=True):
        for image in images:
            try:
                with image.open("rb") as fp:
                    sources.append(fp.read())
            except OSError as exc:
                sources.append(b"")
                log.warning("post %s image unreadable: %s", post.pk, exc)
    per_image = iter(classifier.predict(sources, batch_size=settings.CLASSIFY_BATCH_SIZE))
    # A post's prediction is the mean of its images' (one image: its own).
    results = [predictions_mean([next(per_image) for _ in images]) for images in images_of]
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


def posts_classification_reconcile(*, now=None) -> int:
    """Re-queue only the stuck posts: queued past the deadline and still without a result.

    A post waiting in the queue since less than the deadline is left alone, so the cost of a run
    follows the number of stuck posts (a killed worker, a lost message), never the number waiting.
    """
    cutoff = deadline_passed_before("classification", now=now)
    with transaction.atomic():
        stuck = Post.objects.filter(
            classification_status__in=[Status.PENDING, Status.RUNNING],
            classification_queued_at__lt=cutoff,
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
