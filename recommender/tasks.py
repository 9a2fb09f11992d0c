"""Thin Celery tasks: take ids, call one service (imported inside the task body)."""

import logging
import threading

from celery.signals import worker_process_init
from django.db import connection

from common.jobs import job_task, previous_run_lost

logger = logging.getLogger(__name__)


@worker_process_init.connect
def classifier_warm_up_in_background(**_) -> None:
    # A thread, because a pool child must report ready within seconds and loading (with int8
    # calibration) takes longer; a task arriving meanwhile waits for the same load, never twice.
    threading.Thread(target=_classifier_warm_up, name="classifier-warm-up", daemon=True).start()


def _classifier_warm_up() -> None:
    from recommender.services.classifiers import classifier_warm_up

    try:
        logger.info(classifier_warm_up())
    except Exception:
        logger.exception("style model warm-up failed; the first request will load it")
    finally:
        connection.close()


@job_task("recommendation", bind=True)
def recommendation_process_task(self, request_id: int) -> None:
    from recommender.services.requests import recommendation_process

    recommendation_process(request_id=request_id, previous_run_lost=previous_run_lost(self))


@job_task("classification", bind=True)
def posts_classify_batch_task(self, post_ids: list[int], model_version_id: int) -> dict:
    from recommender.services.classification import posts_classify_batch

    return posts_classify_batch(
        post_ids=post_ids,
        model_version_id=model_version_id,
        previous_run_lost=previous_run_lost(self),
    )


@job_task("reclassification", bind=True)
def reclassification_run_task(self, run_id: int) -> dict | None:
    from django.conf import settings

    from recommender.services.reclassification import reclassification_process

    run = reclassification_process(
        run_id=run_id,
        previous_run_lost=previous_run_lost(self),
        slice_seconds=settings.RECLASSIFY_SLICE_SECONDS,
    )
    return None if run is None else {"status": run.status, "done": run.done, "total": run.total}


@job_task("reconcile")
def reclassification_reconcile_task() -> int:
    from recommender.services.reclassification import reclassification_reconcile

    return reclassification_reconcile()


@job_task("reconcile")
def recommendation_reconcile_task() -> dict:
    from recommender.services.requests import recommendation_reconcile

    return recommendation_reconcile()


@job_task("reconcile")
def posts_classification_reconcile_task() -> int:
    from recommender.services.classification import posts_classification_reconcile

    return posts_classification_reconcile()


@job_task("retention")
def query_photos_expire_task() -> int:
    from recommender.services.user_data import query_photos_expire

    return query_photos_expire()
