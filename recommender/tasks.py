"""Thin Celery tasks: take ids, call one service. Retry policy lives on the decorators."""

import logging
import threading

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.db import OperationalError, connection

from recommender import classification, registry, services

logger = logging.getLogger(__name__)


@worker_process_init.connect
def classifier_warm_up_in_background(**_) -> None:
    # A thread, because a pool child must report ready within seconds and loading (with int8
    # calibration) takes longer; a task arriving meanwhile waits for the same load, never twice.
    threading.Thread(target=_classifier_warm_up, name="classifier-warm-up", daemon=True).start()


def _classifier_warm_up() -> None:
    try:
        logger.info(registry.classifier_warm_up())
    except Exception:
        logger.exception("style model warm-up failed; the first request will load it")
    finally:
        connection.close()


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    max_retries=3,
    soft_time_limit=settings.RECOMMENDATION_SOFT_TIME_LIMIT,
    time_limit=settings.RECOMMENDATION_SOFT_TIME_LIMIT + 60,
)
def recommendation_process_task(self, request_id: int) -> None:
    services.recommendation_process(request_id=request_id)


@shared_task(
    soft_time_limit=600,
    time_limit=660,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    max_retries=3,
)
def posts_classify_batch_task(post_ids: list[int], model_version_id: int) -> dict:
    return classification.posts_classify_batch(post_ids=post_ids, model_version_id=model_version_id)


@shared_task
def recommendation_reconcile_task() -> dict:
    return services.recommendation_reconcile()
