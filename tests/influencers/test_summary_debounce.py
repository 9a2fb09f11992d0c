"""The summary debounce holds across processes: two schedulers at once queue one rebuild each."""

import threading

import pytest
from django.db import connection, transaction

from influencers.models import Influencer
from influencers.services.summaries import influencer_summaries_schedule
from tests.factories import InfluencerFactory

INFLUENCERS = 60


def queued_messages(redis_url: str, queue: str) -> int:
    import redis

    return redis.Redis.from_url(redis_url).llen(queue)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_queue_one_rebuild_per_influencer(broker_mode, redis_url, settings):
    """Each thread has its own database connection and transaction, as two web processes or
    workers do; both start scheduling the same influencers together. Every influencer is claimed
    by exactly one of them, and Redis receives exactly one rebuild message per influencer."""
    import redis

    queue = settings.BACKGROUND_JOBS["summary"]["queue"]
    ids = [InfluencerFactory().pk for _ in range(INFLUENCERS)]
    start = threading.Barrier(2)
    claimed: dict[str, int] = {}
    errors: list[BaseException] = []

    def schedule(name: str, hold: float) -> None:
        try:
            start.wait(timeout=30)
            with transaction.atomic():
                claimed[name] = influencer_summaries_schedule(influencer_ids=ids)
                threading.Event().wait(hold)  # keep the transaction open: the other must wait
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=schedule, args=("first", 0.3)),
        threading.Thread(target=schedule, args=("second", 0.0)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(claimed) == ["first", "second"]
    assert claimed["first"] + claimed["second"] == INFLUENCERS
    assert queued_messages(redis_url, queue) == INFLUENCERS
    assert Influencer.objects.filter(pk__in=ids, summary_queued_at__isnull=True).count() == 0
    redis.Redis.from_url(redis_url).flushdb()  # leave no message for a later worker


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_schedule_releases_its_claim(broker_mode, redis_url, settings):
    """A claim made in a transaction that rolls back is gone with it: the next change queues."""
    queue = settings.BACKGROUND_JOBS["summary"]["queue"]
    influencer = InfluencerFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert influencer_summaries_schedule(influencer_ids=[influencer.pk]) == 1
        raise RuntimeError("the import chunk failed")
    assert queued_messages(redis_url, queue) == 0
    assert influencer_summaries_schedule(influencer_ids=[influencer.pk]) == 1
    assert queued_messages(redis_url, queue) == 1
