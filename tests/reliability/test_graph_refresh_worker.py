"""The scheduled Instagram refresh through real Redis and a real worker, against the fake Graph
API on the loopback."""

import pytest

from influencers.models import Influencer, RefreshRun
from influencers.services.graph_refresh import graph_refresh_schedule
from tests.conftest import Worker, wait_for
from tests.fake_graph_api import TOKEN_EXPIRED, FakeGraph, Fault
from tests.influencers.graph_helpers import token_mark_checked

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
TOKEN = "worker-token-7c3d"


@pytest.fixture
def graph_worker(broker_mode, redis_url, settings, tmp_path):
    graph = FakeGraph(tokens=(TOKEN,)).start()
    environment = {
        "INSTAGRAM_GRAPH_API_URL": graph.url,
        "INSTAGRAM_BUSINESS_ACCOUNT_ID": graph.account_id,
        "INSTAGRAM_GRAPH_TOKEN": TOKEN,
        "GRAPH_MEDIA_PAGE_SIZE": "2",
        "GRAPH_RETRY_BACKOFF_SECONDS": "0.01",
        # A task past this many seconds hands its run on to a fresh one.
        "GRAPH_REFRESH_SOFT_TIME_LIMIT": "8",
    }
    for name, value in environment.items():
        setattr(settings, name, int(value) if value.isdigit() else value)
    worker = Worker(
        redis_url, settings.MEDIA_ROOT, tmp_path / "worker.log", extra_env=environment
    ).start()
    yield graph
    worker.stop()
    graph.stop()


def test_beat_queues_stale_influencers_and_a_bulk_worker_refreshes_them(graph_worker):
    graph_worker.add_account("worker_a", posts=3, followers=4321)
    graph_worker.add_account("worker_b", posts=1, followers=99)
    for handle in ("worker_a", "worker_b"):
        Influencer.objects.create(handle=handle, tracked=True)
    run = graph_refresh_schedule()
    done = wait_for(
        lambda: RefreshRun.objects.filter(pk=run.pk, status=RefreshRun.Status.DONE).first(),
        timeout=90,
    )
    assert done, RefreshRun.objects.get(pk=run.pk).status
    assert (done.refreshed, done.posts_created) == (2, 4)
    assert Influencer.objects.get(handle="worker_a").followers == 4321
    assert Influencer.objects.get(handle="worker_a").snapshots.count() == 1


def test_a_token_refused_in_a_worker_stops_the_run_and_the_schedule(graph_worker):
    graph_worker.add_account("worker_c", posts=1)
    graph_worker.faults.append(Fault(status=400, body=TOKEN_EXPIRED))
    Influencer.objects.create(handle="worker_c", tracked=True)
    run = graph_refresh_schedule()
    failed = wait_for(
        lambda: RefreshRun.objects.filter(pk=run.pk, status=RefreshRun.Status.FAILED).first(),
        timeout=90,
    )
    assert failed and failed.error_code == "token_invalid"
    assert graph_refresh_schedule() is None


def test_a_task_past_its_time_limit_hands_the_run_on_and_nothing_of_that_account_is_lost(
    graph_worker, monkeypatch
):
    from influencers.tasks import refresh_run_task

    # Celery sends the publisher's limits with each message: publish as the worker is configured.
    monkeypatch.setattr(refresh_run_task, "soft_time_limit", 8)
    monkeypatch.setattr(refresh_run_task, "_exec_options", None)  # Celery caches them per task
    graph_worker.add_account("worker_slow", posts=2, followers=31)
    token_mark_checked()  # no debug_token call first: the slow answer is the account's
    graph_worker.faults.append(Fault(delay=12))  # longer than the task's soft limit
    Influencer.objects.create(handle="worker_slow", tracked=True)
    run = graph_refresh_schedule()
    done = wait_for(
        lambda: RefreshRun.objects.filter(pk=run.pk, status=RefreshRun.Status.DONE).first(),
        timeout=120,
    )
    assert done and (done.refreshed, done.posts_created) == (1, 2)
    assert len(graph_worker.discovery_calls()) == 2  # the stopped call, then the fresh task's
    assert Influencer.objects.get(handle="worker_slow").followers == 31
