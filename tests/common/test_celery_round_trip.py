import pytest

pytestmark = [pytest.mark.worker]


def test_a_task_round_trips_through_real_redis_to_a_real_worker(worker):
    from config.celery_app import ping

    result = ping.delay("안녕")
    assert result.get(timeout=60) == "pong:안녕"
