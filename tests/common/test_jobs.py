"""The background-work toolkit: routing by latency, limits from settings, claims, outages."""

import pytest
from django.conf import settings

from common.jobs import claim, enqueue, previous_run_lost, route_by_job_kind
from influencers.tasks import import_job_run_task, influencer_summary_rebuild_task
from recommender.models import RecommendationRequest
from recommender.tasks import (
    posts_classify_batch_task,
    reclassification_run_task,
    recommendation_process_task,
)
from tests.factories import UserFactory


def test_user_facing_work_and_bulk_work_go_to_different_queues():
    queue = lambda task: route_by_job_kind(task.name, (), {}, {}, task=task)["queue"]  # noqa: E731
    assert queue(recommendation_process_task) == settings.QUEUE_INTERACTIVE
    for bulk in (
        posts_classify_batch_task,
        reclassification_run_task,
        import_job_run_task,
        influencer_summary_rebuild_task,
    ):
        assert queue(bulk) == settings.QUEUE_BULK


def test_each_task_takes_its_time_limits_from_settings():
    for task, kind in (
        (recommendation_process_task, "recommendation"),
        (posts_classify_batch_task, "classification"),
        (reclassification_run_task, "reclassification"),
        (import_job_run_task, "import"),
    ):
        job = settings.BACKGROUND_JOBS[kind]
        assert (task.soft_time_limit, task.time_limit) == (
            job["soft_time_limit"],
            job["time_limit"],
        )
        assert task.time_limit > task.soft_time_limit


def test_a_message_is_never_redelivered_while_its_task_may_still_run():
    longest = max(job["time_limit"] for job in settings.BACKGROUND_JOBS.values())
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest


@pytest.mark.django_db
def test_only_one_of_two_claims_on_the_same_row_wins():
    request = RecommendationRequest.objects.create(
        user=UserFactory(), image="queries/x.jpg", mode="consumer", gender="F", body_size="M"
    )
    rows = RecommendationRequest.objects.filter(pk=request.pk)
    Status = RecommendationRequest.Status
    assert claim(rows, source=Status.PENDING, target=Status.RUNNING) == 1
    assert claim(rows, source=Status.PENDING, target=Status.RUNNING) == 0


def test_tasks_land_in_their_queue_on_real_redis(broker_mode, redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    assert enqueue(recommendation_process_task, 10**9)
    assert enqueue(posts_classify_batch_task, [10**9], 1)
    assert client.llen(settings.QUEUE_INTERACTIVE) == 1
    assert client.llen(settings.QUEUE_BULK) == 1


@pytest.mark.parametrize(
    ("retries", "delivery_info", "lost"),
    [
        (0, {}, False),
        (0, {"redelivered": True}, True),  # its worker died
        (1, {}, True),  # a Celery retry after a transient database error
    ],
)
def test_a_retry_or_a_redelivery_may_take_back_what_its_earlier_run_claimed(
    retries, delivery_info, lost
):
    posts_classify_batch_task.push_request(retries=retries, delivery_info=delivery_info)
    try:
        assert previous_run_lost(posts_classify_batch_task) is lost
    finally:
        posts_classify_batch_task.pop_request()
