"""Thin Celery tasks: take ids, call one service. Retry policy lives on the decorators."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from recommender import classification, services


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
