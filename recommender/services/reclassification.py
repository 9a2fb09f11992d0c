"""Re-classifying the whole catalogue with a newly active model, at catalogue scale.

One run row per activation. A worker claims the run with a lease, streams the posts in keyset
order of id (never a list of them all), lets the classifier read and decode a few batches ahead,
stores each batch with one bulk_update and rebuilds each touched influencer's profile once per
batch, and moves the run's cursor and progress in the same transaction. After
RECLASSIFY_SLICE_SECONDS it hands the run on to a fresh task, so other bulk work interleaves and no
task nears its time limit. A worker that dies leaves the cursor at its last stored batch; the run
resumes there (redelivery, or the reconciler once the heartbeat is older than the deadline).

Posts keep their previous result until their batch replaces it, so recommendations go on being
served from the old classification while the run moves through the catalogue.
"""

import logging
import time
import uuid
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.errors import ApplicationError
from common.jobs import deadline_passed_before, enqueue, enqueue_on_commit
from influencers.models import Post
from influencers.selectors import post_images
from influencers.services.derivatives import post_image_classification_loader
from mlcore.preprocessing import Preprocessing
from recommender.models import ReclassificationRun
from recommender.services.classification import posts_results_store
from recommender.services.classifiers import (
    active_model_version,
    classifier_batch_size,
    classifier_for,
)
from recommender.tasks import reclassification_run_task

log = logging.getLogger(__name__)
RunStatus = ReclassificationRun.Status
OPEN = [RunStatus.PENDING, RunStatus.RUNNING]


class _LeaseLost(Exception):
    """Another worker took the run over (this one was presumed dead, or a newer model won)."""


def reclassification_start(*, model_version_id: int, queue: bool = True) -> ReclassificationRun:
    """Open a run over every post with an image (an older open run is superseded) and queue it
    for the bulk workers once the transaction commits (`queue=False`: the caller works on it)."""
    now = timezone.now()
    with transaction.atomic():
        ReclassificationRun.objects.filter(status__in=OPEN).update(
            status=RunStatus.SUPERSEDED, lease="", finished_at=now
        )
        with_image = Post.objects.exclude(image="")
        max_post_id = with_image.aggregate(last=Max("pk"))["last"] or 0
        run = ReclassificationRun.objects.create(
            model_version_id=model_version_id,
            max_post_id=max_post_id,
            total=with_image.filter(pk__lte=max_post_id).count(),
            heartbeat_at=now,  # the reconciler's clock starts now, should the message be lost
        )
        if queue:
            enqueue_on_commit(reclassification_run_task, run.pk)
    return run


def reclassification_process(
    *,
    run_id: int,
    previous_run_lost: bool = False,
    slice_seconds: float | None = None,
    on_batch: Callable[[ReclassificationRun], None] | None = None,
) -> ReclassificationRun | None:
    """Work on a run until it is done or `slice_seconds` pass (then queue its continuation).

    Returns the run, or None when it was not this call's to work on (done, superseded, or held
    by a live worker). `on_batch` sees the run after every stored batch (the CLI's progress).
    """
    lease = _run_claim(run_id, previous_run_lost=previous_run_lost)
    if lease is None:
        return None
    run = ReclassificationRun.objects.select_related("model_version").get(pk=run_id)
    classifier = classifier_for(run.model_version)
    batch_size = classifier_batch_size()
    started = time.monotonic()
    stream = classifier.classify_posts_stream(
        _posts_after(run, batch_size, preprocessing=classifier.preprocessing),
        batch_size=batch_size,
    )
    try:
        for batch in stream:
            _batch_store(run, lease, batch)
            if settings.FAULT_INJECTION_RECLASSIFY_BATCH_DELAY:  # tests only: time to kill it
                time.sleep(settings.FAULT_INJECTION_RECLASSIFY_BATCH_DELAY)
            if on_batch is not None:
                on_batch(run)
            if slice_seconds is not None and time.monotonic() - started > slice_seconds:
                stream.close()
                return _run_hand_on(run, lease)
    except _LeaseLost:
        log.info("re-classification run %s was taken over; this worker stops", run_id)
        return None
    ReclassificationRun.objects.filter(pk=run.pk, lease=lease).update(
        status=RunStatus.DONE, lease="", finished_at=timezone.now(), total=F("done")
    )
    run.refresh_from_db()
    return run


def _run_claim(run_id: int, *, previous_run_lost: bool) -> str | None:
    """Take the run with a fresh lease: waiting, silent past the deadline, or held by this
    message's own lost run."""
    lease = uuid.uuid4().hex
    now = timezone.now()
    claimable = Q(status=RunStatus.PENDING) | Q(
        status=RunStatus.RUNNING, heartbeat_at__lt=deadline_passed_before("reclassification")
    )
    if previous_run_lost:
        claimable |= Q(status=RunStatus.RUNNING)
    claimed = ReclassificationRun.objects.filter(claimable, pk=run_id).update(
        status=RunStatus.RUNNING,
        lease=lease,
        heartbeat_at=now,
        started_at=Coalesce(F("started_at"), now),
    )
    return lease if claimed else None


def _posts_after(
    run: ReclassificationRun, batch_size: int, *, preprocessing: Preprocessing
) -> Iterator[tuple[Post, list[Callable]]]:
    """The run's posts after its cursor, one keyset page at a time (memory: one page)."""
    cursor = run.last_post_id
    while True:
        page = list(
            Post.objects.filter(pk__gt=cursor, pk__lte=run.max_post_id)
            .exclude(image="")
            .order_by("pk")
            .values_list("pk", "image", "influencer_id")[:batch_size]
        )
        if not page:
            return
        posts = [
            Post(pk=pk, image=image, influencer_id=influencer) for pk, image, influencer in page
        ]
        # A carousel's images, cover first: one query per page; the post gets their mean.
        for post, images in zip(posts, post_images(posts=posts), strict=True):
            yield (
                post,
                [
                    post_image_classification_loader(image.name, preprocessing=preprocessing)
                    for image in images
                ],
            )
        cursor = page[-1][0]


def _batch_store(run: ReclassificationRun, lease: str, batch: list) -> None:
    """Store a batch and move the run's cursor in one transaction, only while holding the lease."""
    counts = {"classified": 0, "unclassifiable": 0}
    with transaction.atomic():
        counts = posts_results_store(version=run.model_version, results=batch)
        moved = ReclassificationRun.objects.filter(
            pk=run.pk, lease=lease, status=RunStatus.RUNNING
        ).update(
            last_post_id=batch[-1][0].pk,
            done=F("done") + len(batch),
            classified=F("classified") + counts["classified"],
            unclassifiable=F("unclassifiable") + counts["unclassifiable"],
            heartbeat_at=timezone.now(),
        )
        if not moved:
            raise _LeaseLost  # rolls this batch back: the new holder stores it
    run.last_post_id = batch[-1][0].pk
    run.done += len(batch)
    run.classified += counts["classified"]
    run.unclassifiable += counts["unclassifiable"]


def _run_hand_on(run: ReclassificationRun, lease: str) -> ReclassificationRun:
    """End this slice: release the run and queue the next slice (if the broker is down, the
    reconciler queues it once the heartbeat passes the deadline)."""
    released = ReclassificationRun.objects.filter(pk=run.pk, lease=lease).update(
        status=RunStatus.PENDING, lease="", heartbeat_at=timezone.now()
    )
    if released:
        enqueue_on_commit(reclassification_run_task, run.pk)
    run.refresh_from_db()
    return run


def reclassification_reconcile(*, now=None) -> int:
    """Queue the open runs whose worker has been silent past the deadline (O(stuck runs))."""
    cutoff = deadline_passed_before("reclassification", now=now)
    stuck = list(
        ReclassificationRun.objects.filter(status__in=OPEN, heartbeat_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for run_id in stuck:
        enqueue(reclassification_run_task, run_id)
    return len(stuck)


def reclassification_run_for_cli(
    *, on_batch: Callable[[ReclassificationRun], None] | None = None, background: bool = False
) -> ReclassificationRun:
    """`manage.py reclassify`: open a run for the active model and work on it in this process
    (or leave it to the bulk workers with `background`)."""
    version = active_model_version()
    if version is None:
        raise ApplicationError("No style model is active: activate one first.", code="no_model")
    run = reclassification_start(model_version_id=version.pk, queue=background)
    if not background:
        reclassification_process(run_id=run.pk, on_batch=on_batch)
    run.refresh_from_db()
    return run
