"""Background work against a real Redis and real worker processes started by the tests."""

import os
import signal
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from influencers.models import ClassificationStatus, Post
from recommender.models import RecommendationRequest
from recommender.services import requests as services
from tests.conftest import Worker, free_port, jpeg_bytes, wait_for
from tests.factories import InfluencerFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = RecommendationRequest.Status


def upload():
    return SimpleUploadedFile("look.jpg", jpeg_bytes(size=(120, 150)), content_type="image/jpeg")


def run_in_app_process(env: dict, code: str) -> str:
    """Run Django code in a separate process configured like the web app (broker = env)."""
    import sys

    from tests.conftest import ROOT

    script = "import django; django.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def status_of(pk):
    return RecommendationRequest.objects.get(pk=pk).status


@pytest.fixture
def catalogue(active_model):
    from influencers.services.profiles import influencer_style_profile_rebuild
    from tests.factories import classified_post

    for n, style in enumerate(["romantic", "resort", "street"]):
        influencer = InfluencerFactory(handle=f"w_{n}")
        classified_post(influencer, style, 10 * (n + 1))
        influencer_style_profile_rebuild(influencer_id=influencer.pk)


def test_a_request_is_processed_end_to_end_by_a_real_worker(worker, catalogue):
    request = services.recommendation_create(user=UserFactory(), image=upload())
    assert wait_for(lambda: status_of(request.pk) == Status.DONE, timeout=90), (
        worker.log_path.read_text()[-3000:]
    )
    request.refresh_from_db()
    assert len(request.results["similarity"]["cards"]) == 3 and request.attempts == 1


def test_a_started_worker_loads_the_active_model_before_the_first_request(catalogue, worker):
    # catalogue (with its active model) comes first, so the worker starts with a model to load.
    assert wait_for(lambda: "loaded in" in worker.log_path.read_text(), timeout=60), (
        worker.log_path.read_text()[-3000:]
    )
    request = services.recommendation_create(user=UserFactory(), image=upload())
    assert wait_for(lambda: status_of(request.pk) == Status.DONE, timeout=90)
    log = worker.log_path.read_text()
    assert "style model tiny (demo" in log
    assert log.index("loaded in") < log.index("recommendation_process_task[")


def test_a_task_delivered_twice_leaves_one_result(worker, catalogue):
    from recommender.tasks import recommendation_process_task

    request = services.recommendation_create(user=UserFactory(), image=upload())
    recommendation_process_task.delay(request.pk)  # a duplicate delivery
    assert wait_for(lambda: status_of(request.pk) == Status.DONE, timeout=90)
    time.sleep(2)  # let the duplicate run too
    request.refresh_from_db()
    assert request.attempts == 1


@pytest.fixture
def slow_worker(broker_mode, redis_url, settings, tmp_path):
    w = Worker(
        redis_url,
        settings.MEDIA_ROOT,
        tmp_path / "slow.log",
        extra_env={"FAULT_INJECTION_PROCESS_DELAY": "4"},
    ).start()
    yield w
    w.stop()


def test_a_task_past_its_soft_time_limit_is_failed_with_the_reason_and_the_worker_survives(
    broker_mode, catalogue, settings, redis_url, tmp_path
):
    # The web process and the worker share the setting (Celery sends the publisher's limits
    # with each message), so requests are made from an app process configured like the worker.
    limited = Worker(
        redis_url,
        settings.MEDIA_ROOT,
        tmp_path / "limited.log",
        extra_env={"FAULT_INJECTION_PROCESS_DELAY": "6", "RECOMMENDATION_SOFT_TIME_LIMIT": "2"},
    ).start()
    user = UserFactory()
    create = (
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from accounts.models import User\n"
        "from recommender.services import requests as services\n"
        "from tests.conftest import jpeg_bytes\n"
        f"user = User.objects.get(pk={user.pk})\n"
        "for _ in range(2):\n"
        "    r = services.recommendation_create(user=user, image=SimpleUploadedFile('a.jpg', jpeg_bytes()))\n"
        "    print(r.pk)\n"
    )
    try:
        first, second = (int(pk) for pk in run_in_app_process(limited.env, create).split()[-2:])
        for pk in (first, second):
            assert wait_for(lambda pk=pk: status_of(pk) == Status.FAILED, timeout=60), (
                limited.log_path.read_text()[-3000:]
            )
            assert "took too long" in RecommendationRequest.objects.get(pk=pk).failure_reason
        assert limited.process.poll() is None  # the worker is still serving
    finally:
        limited.stop()


def past_deadline(settings):
    deadline = settings.BACKGROUND_JOBS["recommendation"]["deadline"]
    return timezone.now() + timezone.timedelta(seconds=deadline + 1)


def test_a_worker_child_killed_mid_task_is_delivered_again_and_ends_done(slow_worker, catalogue):
    request = services.recommendation_create(user=UserFactory(), image=upload())
    assert wait_for(lambda: status_of(request.pk) == Status.RUNNING, timeout=60)
    for pid in slow_worker.child_pids():
        os.kill(pid, signal.SIGKILL)
    # The lost run's message comes back marked redelivered; the next run claims the request even
    # though the dead one left it running, so it finishes without waiting for the reconciler.
    assert wait_for(lambda: status_of(request.pk) == Status.DONE, timeout=90), (
        slow_worker.log_path.read_text()[-3000:]
    )
    request.refresh_from_db()
    assert request.attempts == 2 and len(request.results["similarity"]["cards"]) == 3


def test_a_request_that_kills_its_worker_every_time_ends_failed(slow_worker, catalogue, settings):
    request = services.recommendation_create(user=UserFactory(), image=upload())
    rows = RecommendationRequest.objects.filter(pk=request.pk)
    for attempt in range(1, settings.RECOMMENDATION_MAX_ATTEMPTS + 1):
        # Claimed for this attempt: the run now waits in its injected delay; kill it there.
        assert wait_for(lambda a=attempt: rows.filter(attempts=a).exists(), timeout=60)
        for pid in slow_worker.child_pids():
            os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: status_of(request.pk) == Status.FAILED, timeout=90), (
        slow_worker.log_path.read_text()[-3000:]
    )
    request.refresh_from_db()
    assert "several attempts" in request.failure_reason


def test_a_request_left_running_by_a_dead_worker_is_requeued_by_the_reconciler(
    worker, catalogue, settings
):
    # A run that died without its message coming back (the broker lost it): only the reconciler
    # can notice, by the claim's age.
    request = services.recommendation_create(user=UserFactory(), image=upload())
    assert wait_for(lambda: status_of(request.pk) == Status.DONE, timeout=90)
    RecommendationRequest.objects.filter(pk=request.pk).update(
        status=Status.RUNNING, claimed_at=timezone.now(), results={}
    )
    assert services.recommendation_reconcile() == {"requeued": 0, "failed": 0}  # not stuck yet
    counts = services.recommendation_reconcile(now=past_deadline(settings))
    assert counts == {"requeued": 1, "failed": 0}
    assert wait_for(lambda: status_of(request.pk) == Status.DONE, timeout=90)
    request.refresh_from_db()
    assert request.attempts == 2 and request.results["similarity"]["cards"]


def test_the_whole_worker_killed_and_restarted_still_finishes_the_request(
    slow_worker, catalogue, settings, redis_url, tmp_path
):
    request = services.recommendation_create(user=UserFactory(), image=upload())
    assert wait_for(lambda: status_of(request.pk) == Status.RUNNING, timeout=60)
    slow_worker.kill()
    fresh = Worker(redis_url, settings.MEDIA_ROOT, tmp_path / "fresh.log").start()
    try:
        services.recommendation_reconcile(now=past_deadline(settings))
        assert wait_for(lambda: status_of(request.pk) == Status.DONE, timeout=90), (
            fresh.log_path.read_text()[-3000:]
        )
    finally:
        fresh.stop()
    assert RecommendationRequest.objects.get(pk=request.pk).attempts == 2


def test_activation_reclassifies_every_post_through_a_real_worker(worker, tiny_checkpoint):
    from recommender.services.registry import model_version_register

    influencer = InfluencerFactory()
    posts = []
    for n in range(5):
        post = Post(influencer=influencer, instagram_id=f"act{n}")
        post.image.save(f"act{n}.jpg", SimpleUploadedFile("x.jpg", jpeg_bytes((n * 50, 80, 90))))
        posts.append(post)
    broken = Post(influencer=influencer, instagram_id="broken")
    broken.image.save("broken.jpg", SimpleUploadedFile("x.jpg", b"\xff\xd8\xff corrupt"))
    version = model_version_register(checkpoint_path=tiny_checkpoint, activate=True)

    def finished():
        return not Post.objects.filter(classification_status__in=["pending", "running"]).exists()

    assert wait_for(finished, timeout=90), worker.log_path.read_text()[-3000:]
    done = Post.objects.filter(classification_status=ClassificationStatus.DONE)
    assert done.count() == 5 and all(p.model_version_id == version.pk for p in done)
    broken.refresh_from_db()
    assert broken.classification_status == ClassificationStatus.UNCLASSIFIABLE
    assert broken.unclassifiable_reason.startswith("corrupt image")
    influencer.refresh_from_db()
    assert influencer.classified_post_count == 6 and influencer.consumer_style


class OwnRedis:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        import redis

        assert wait_for(lambda: _pings(redis, self.url), timeout=20)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def _pings(redis, url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:
        return False


def test_a_request_made_while_redis_is_down_is_kept_and_runs_once_it_is_back(
    broker_mode, catalogue, settings, tmp_path
):
    own = OwnRedis(tmp_path)
    own.start()
    worker = Worker(own.url, settings.MEDIA_ROOT, tmp_path / "w.log").start()
    user = UserFactory()
    try:
        own.stop()
        create = (
            "import time\n"
            "from django.core.files.uploadedfile import SimpleUploadedFile\n"
            "from django.test import Client\n"
            "from accounts.models import User\n"
            "from recommender.services import requests as services\n"
            "from tests.conftest import jpeg_bytes\n"
            "print(Client().get('/healthz', HTTP_HOST='localhost').status_code)\n"
            "started = time.perf_counter()\n"
            f"r = services.recommendation_create(user=User.objects.get(pk={user.pk}), "
            "image=SimpleUploadedFile('a.jpg', jpeg_bytes()))\n"
            "print(r.pk, round(time.perf_counter() - started, 1))\n"
        )
        health, line = run_in_app_process(worker.env, create).splitlines()[-2:]
        pk, seconds = line.split()
        assert health == "503"  # /healthz names the outage
        assert float(seconds) < 15  # a clear answer, not a hang
        request = RecommendationRequest.objects.get(pk=int(pk))
        assert request.status == Status.PENDING and "unavailable" in request.status_message
        own.start()
        run_in_app_process(
            worker.env,
            (
                "from django.utils import timezone\n"
                "from recommender.services.requests import recommendation_reconcile\n"
                "print(recommendation_reconcile(now=timezone.now() + timezone.timedelta(seconds=60)))\n"
            ),
        )
        assert wait_for(lambda: status_of(request.pk) == Status.DONE, timeout=90), (
            worker.log_path.read_text()[-3000:]
        )
        assert RecommendationRequest.objects.get(pk=request.pk).attempts == 1
    finally:
        worker.stop()
        if own.process.poll() is None:
            own.stop()
