"""The one background-work toolkit every task and service uses.

- `job_task(kind)` declares a Celery task of one kind of work (settings.BACKGROUND_JOBS): its queue,
  time limits and the shared retry policy all come from settings.
- `enqueue_on_commit()` sends a task once the current transaction commits; when the broker is down
  the work stays recorded in the database and `on_unavailable` can say so on the row.
- `claim()` moves rows from one status to another with one conditional UPDATE: the rows it changed
  are this worker's; zero means someone else has them or they are done.
- `previous_run_lost()` says when a task may take back rows its own earlier run claimed.
- `deadline_passed_before()` is the cut-off the reconcilers use to find only the stuck rows.

Status always lives in the database (never in Celery results); reconcilers re-queue by the time a
row was queued, so their cost follows the number of stuck rows, not the number waiting.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

log = logging.getLogger(__name__)


def job_settings(kind: str) -> dict:
    return settings.BACKGROUND_JOBS[kind]


def job_task(kind: str, **options):
    """A Celery shared_task of one kind of work, with its limits and retries from settings."""
    job = job_settings(kind)
    retry = settings.JOB_RETRY
    return shared_task(
        job_kind=kind,
        soft_time_limit=job["soft_time_limit"],
        time_limit=job["time_limit"],
        autoretry_for=(OperationalError, InterfaceError),
        max_retries=retry["max_retries"],
        retry_backoff=retry["retry_backoff"],
        retry_backoff_max=retry["retry_backoff_max"],
        retry_jitter=retry["retry_jitter"],
        **options,
    )


def route_by_job_kind(name, args, kwargs, options, task=None, **kw):
    """Celery router (settings.CELERY_TASK_ROUTES): a task goes to its kind's queue."""
    kind = getattr(task, "job_kind", None)
    if kind in settings.BACKGROUND_JOBS:
        return {"queue": settings.BACKGROUND_JOBS[kind]["queue"]}
    return None


def enqueue(
    task,
    *args,
    countdown: float | None = None,
    on_unavailable: Callable[[Exception], None] | None = None,
) -> bool:
    """Send a task now; with the broker down, log it, call `on_unavailable` and return False.

    The caller's row already records the work, so a reconciler re-queues it once the broker is back.
    """
    try:
        task.apply_async(args, countdown=countdown or None)
    except Exception as exc:  # kombu/redis connection errors: the broker is unreachable
        log.warning("could not queue %s%r: %s", task.name, args, exc)
        if on_unavailable is not None:
            on_unavailable(exc)
        return False
    return True


def enqueue_on_commit(
    task,
    *args,
    countdown: float | None = None,
    on_unavailable: Callable[[Exception], None] | None = None,
) -> None:
    """Send a task after the current transaction commits (a worker must see the rows it reads)."""
    transaction.on_commit(
        lambda: enqueue(task, *args, countdown=countdown, on_unavailable=on_unavailable)
    )


def claim(queryset, *, field: str = "status", source, target, **stamps) -> int:
    """Move the rows of `queryset` whose `field` is `source` to `target` in one UPDATE.

    `source` may be a value or a list of values. Returns how many rows this call claimed.
    """
    lookup = f"{field}__in" if isinstance(source, list | tuple | set) else field
    return queryset.filter(**{lookup: source}).update(**{field: target}, **stamps)


def delivered_again(task) -> bool:
    """Whether the running task's message is a redelivery: its previous run's worker was lost
    (reject_on_worker_lost, or unacknowledged past the visibility timeout, which exceeds every hard
    limit), so rows that run claimed are no one's and may be claimed again."""
    return bool((task.request.delivery_info or {}).get("redelivered"))


def previous_run_lost(task) -> bool:
    """Whether rows this task claims may still be marked as claimed by an earlier run of the same
    message: a redelivery (its worker was lost) or a Celery retry (the earlier attempt claimed,
    then failed on a transient error). Either way no one else holds them: claim them again."""
    return delivered_again(task) or task.request.retries > 0


def deadline_passed_before(kind: str, *, now=None):
    """Rows queued or claimed before this instant have outlived `kind`'s deadline."""
    return (now or timezone.now()) - timezone.timedelta(seconds=job_settings(kind)["deadline"])


@contextmanager
def task_logs_quiet():
    """Hide the one INFO line per finished task that in-process (eager) tasks log.

    Commands that run hundreds of them (`make run`'s setup) show a progress bar instead; workers
    keep their per-task lines.
    """
    logger = logging.getLogger("celery.app.trace")
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)
