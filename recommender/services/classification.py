"""Post classification with the active style model: per-post batches for new images, and the
one place a batch of results is stored (shared with catalogue re-classification)."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.jobs import claim, deadline_passed_before, enqueue_on_commit
from common.vectors import vector_to_bytes
from influencers.models import ClassificationStatus, Post
from influencers.selectors import post_images
from influencers.services.derivatives import post_image_classification_loader
from influencers.services.post_classification import (
    CLASSIFICATION_RESULT_FIELDS,
    post_classification_reset,
)
from influencers.services.profiles import influencer_profiles_rebuild
from mlcore.predictions import StylePrediction, UnreadableImage
from recommender.models import ModelVersion
from recommender.services.classifiers import (
    active_model_version,
    classifier_batch_size,
    classifier_for,
)
from recommender.tasks import posts_classify_batch_task

log = logging.getLogger(__name__)
Status = ClassificationStatus
BATCH_SHARED_FIELDS = {"model_version", "classified_at", "classification_claimed_at"}
PER_POST_RESULT_FIELDS = [f for f in CLASSIFICATION_RESULT_FIELDS if f not in BATCH_SHARED_FIELDS]


def posts_classification_queue(*, post_ids, model_version_id: int | None = None) -> int:
    """Stamp posts as queued and send them in batches once the current transaction commits.

    Without an active model they stay pending (unstamped); activating one classifies them.
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


def posts_classify_batch(
    *, post_ids: list[int], model_version_id: int, previous_run_lost: bool = False
) -> dict:
    """Claim the batch's pending posts, classify them, store results, rebuild their profiles.

    A post another worker claimed, or one already done, is skipped (unless this message's own
    earlier run claimed it and was lost); an unreadable image marks only that post as
    unclassifiable with the reason.
    """
    version = ModelVersion.objects.filter(pk=model_version_id, is_active=True).first()
    if version is None:
        return {"skipped": "model version no longer active"}
    token = timezone.now()  # the claim: only rows stamped with this instant are ours
    claimed = claim(
        Post.objects.filter(pk__in=post_ids),
        field="classification_status",
        source=[Status.PENDING, Status.RUNNING] if previous_run_lost else Status.PENDING,
        target=Status.RUNNING,
        classification_claimed_at=token,
    )
    if not claimed:
        return {"classified": 0, "unclassifiable": 0}
    posts = list(
        Post.objects.filter(
            pk__in=post_ids, classification_status=Status.RUNNING, classification_claimed_at=token
        ).only("pk", "image", "influencer_id")
    )
    with_image = [p for p in posts if p.image]
    images_of = post_images(posts=with_image)  # a carousel's images, cover first
    by_post = {}
    classifier = classifier_for(version)
    preprocessing = classifier.preprocessing
    batches = classifier.classify_posts_stream(
        [
            (
                post,
                [
                    post_image_classification_loader(image.name, preprocessing=preprocessing)
                    for image in images
                ],
            )
            for post, images in zip(with_image, images_of, strict=True)
        ],
        batch_size=classifier_batch_size(),
    )
    for batch in batches:
        by_post.update(batch)  # a post's prediction is the mean of its images' (one: its own)
    return posts_results_store(
        version=version,
        results=[(post, by_post.get(post)) for post in posts],
    )


def posts_results_store(
    *, version: ModelVersion, results: list[tuple[Post, StylePrediction | UnreadableImage | None]]
) -> dict:
    """Store one batch of results (None: the post has no image) with one bulk_update, then
    rebuild each touched influencer's profile once. The caller's transaction, if any, holds.

    A post whose image was replaced while it was being classified gets its result dropped and
    waits again: the replacement queued it, and its old image's style must not stick.
    """
    now = timezone.now()
    counts = {"classified": 0, "unclassifiable": 0}
    classified_image = {}
    posts = []
    for post, result in results:
        if isinstance(result, StylePrediction):
            post.classification_status = Status.DONE
            post.predicted_style = result.top_style
            post.style_confidence = result.confidence
            post.style_probabilities = vector_to_bytes(result.probabilities)
            post.embedding = vector_to_bytes(result.embedding)
            post.unclassifiable_reason = ""
            counts["classified"] += 1
        else:
            reason = f"corrupt image: {result.reason}" if result is not None else ""
            post_classification_reset(post, unclassifiable_reason=reason)
            counts["unclassifiable"] += 1
        classified_image[post.pk] = post.image.name or ""
        posts.append(post)
    if not posts:
        return counts
    with transaction.atomic():
        # Per-row values through bulk_update; the ones shared by the whole batch in one plain
        # UPDATE (each bulk_update field costs a CASE of one WHEN per row to build and run).
        Post.objects.bulk_update(posts, PER_POST_RESULT_FIELDS)
        Post.objects.filter(pk__in=classified_image).update(
            model_version_id=version.pk, classified_at=now, classification_claimed_at=None
        )
        # Read after our UPDATE holds the rows' locks: a replacement committed before it shows here.
        replaced = [
            pk
            for pk, image in Post.objects.filter(pk__in=classified_image).values_list("pk", "image")
            if (image or "") != classified_image[pk]
        ]
        for post in Post.objects.filter(pk__in=replaced):
            post_classification_reset(post)
            post.save(update_fields=CLASSIFICATION_RESULT_FIELDS)
        influencer_profiles_rebuild(influencer_ids={p.influencer_id for p in posts})
    return counts


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
