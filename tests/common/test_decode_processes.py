"""Issue 21: uploads decode in decode processes (common/decode_pool.py), with the time limits, and
the pool recovers from a decode past its limit and from a decode process that dies.

Real images and real processes: a "slow" image is a progressive JPEG with its last scan repeated
(tests/common/test_upload_scans.py), which libjpeg decodes pass after pass, with the scan limit
lifted so that it reaches the decoder.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from rest_framework.test import APIClient

from common.decode_pool import decode_pool
from common.uploads import image_validate
from recommender.models import RecommendationRequest
from tests.common.test_upload_plausibility import encode, noise
from tests.common.test_upload_scans import many_scan_jpeg, rejected
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def one_process(settings):
    """One decode process, so "the pool recovered" means that very slot works again."""
    settings.UPLOAD_DECODE_PROCESSES = 1
    settings.UPLOAD_JPEG_MAX_SCANS = 100_000
    return decode_pool(1)


def photo() -> bytes:
    return encode(noise((640, 480), seed=3), "JPEG", quality=85, progressive=True)


def slow_jpeg() -> bytes:
    """Over ten seconds of decoding on an idle core (36 megapixels, 300 scans)."""
    return many_scan_jpeg((6000, 6000), extra_scans=300)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parent_pid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def when_decoding(pool, action, timeout=60.0):
    """A thread that waits until the pool's decode process is busy, then does `action(pid)`."""

    def wait_then_act():
        deadline = time.monotonic() + timeout
        while not pool.busy_pids() and time.monotonic() < deadline:
            time.sleep(0.01)
        action(pool.busy_pids()[0])

    thread = threading.Thread(target=wait_then_act)
    thread.start()
    return thread


def test_an_upload_is_decoded_in_another_process_a_child_of_this_one(settings):
    pool = decode_pool(settings.UPLOAD_DECODE_PROCESSES)
    decoded = pool.decode(
        photo(), detected="JPEG", max_pixels=10**7, queue_timeout=60, decode_timeout=60
    )
    assert (decoded.width, decoded.height) == (640, 480)
    assert decoded.pid != os.getpid() and decoded.pid in pool.pids()
    assert parent_pid(decoded.pid) == os.getpid()
    assert "common.image_decode" in Path(f"/proc/{decoded.pid}/cmdline").read_text()


def test_the_cpu_of_a_decode_is_spent_in_the_decode_process_not_here(one_process):
    picture = noise((375, 300), seed=5).resize((3000, 2400), Image.Resampling.BICUBIC)
    image = encode(picture, "JPEG", quality=90, progressive=True)
    image_validate(data=photo(), filename="warm.jpg")  # the process has started
    (pid,) = one_process.pids()
    theirs, ours = cpu_seconds(pid), time.process_time()
    assert image_validate(data=image, filename="look.jpg").width == 3000
    theirs, ours = cpu_seconds(pid) - theirs, time.process_time() - ours
    assert theirs > 0.1, (theirs, ours)  # a 7-megapixel progressive decode and re-encode
    assert ours < theirs / 2, (theirs, ours)  # here: the header, the socket


def test_the_decode_process_imports_pillow_but_not_django():
    probe = (
        "import sys, common.image_decode; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'PIL', 'config'}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['PIL']"


def test_a_decode_past_its_limit_is_killed_and_the_next_upload_succeeds(one_process, settings):
    settings.UPLOAD_DECODE_TIMEOUT = 0.5
    image_validate(data=photo(), filename="warm.jpg")
    (stuck,) = one_process.pids()
    started = time.monotonic()
    assert rejected(slow_jpeg()).code == "decode_too_slow"
    assert time.monotonic() - started < 10  # answered at the limit, not when the decode ends
    assert not running(stuck)  # killed and reaped, not left decoding in the background
    (fresh,) = one_process.pids()
    assert fresh != stuck
    settings.UPLOAD_DECODE_TIMEOUT = 30
    assert image_validate(data=photo(), filename="look.jpg").width == 640


def test_a_decode_process_killed_mid_decode_is_a_clear_error_and_is_replaced(one_process):
    image_validate(data=photo(), filename="warm.jpg")
    (first,) = one_process.pids()
    killer = when_decoding(one_process, lambda pid: os.kill(pid, signal.SIGKILL))
    with translation.override("ko"):
        error = rejected(slow_jpeg())
    killer.join()
    assert error.code == "decode_failed" and "프로세스가 멈춰" in error.message
    (second,) = one_process.pids()
    assert second != first and running(second)
    assert image_validate(data=photo(), filename="look.jpg").width == 640


@pytest.mark.django_db
def test_the_api_answers_a_crashed_decode_with_a_400_and_its_code_not_a_500(one_process):
    api = APIClient()
    api.force_authenticate(UserFactory())
    killer = when_decoding(one_process, lambda pid: os.kill(pid, signal.SIGKILL))
    upload = SimpleUploadedFile("look.jpg", slow_jpeg(), content_type="image/jpeg")
    response = api.post("/api/v1/recommendations/", {"image": upload}, format="multipart")
    killer.join()
    assert response.status_code == 400 and response.json()["code"] == "decode_failed"
    assert not RecommendationRequest.objects.exists()
    assert image_validate(data=photo(), filename="look.jpg").width == 640


def test_a_decode_process_that_died_while_idle_is_replaced_before_the_next_upload(one_process):
    image_validate(data=photo(), filename="warm.jpg")
    (idle,) = one_process.pids()
    os.kill(idle, signal.SIGKILL)
    assert image_validate(data=photo(), filename="look.jpg").width == 640  # not this one's fault
    assert one_process.pids() != [idle]


def test_an_upload_no_decode_process_takes_up_in_time_is_refused_as_busy(one_process, settings):
    """The one process decodes a slow image (stopped at its time limit, 3 s); meanwhile another
    upload waits 0.1 s for it, and is refused as busy, not as slow."""
    settings.UPLOAD_DECODE_TIMEOUT = 3
    outcome = []
    slow = threading.Thread(target=lambda: outcome.append(rejected(slow_jpeg()).code))
    slow.start()
    deadline = time.monotonic() + 60
    while not one_process.busy_pids() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        settings.UPLOAD_DECODE_QUEUE_TIMEOUT = 0.1
        assert rejected(photo()).code == "decode_busy"
    finally:
        slow.join()
    assert outcome == ["decode_too_slow"]
    settings.UPLOAD_DECODE_QUEUE_TIMEOUT = 60
    assert image_validate(data=photo(), filename="look.jpg").width == 640


def resident_megabytes(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def test_an_idle_decode_process_gives_back_the_memory_of_a_40_megapixel_photo(one_process):
    """The decode itself peaks near 500 MB; kept by glibc, an idle process held 180 MB of it."""
    picture = noise((114, 85), seed=7).resize((7296, 5472), Image.Resampling.BICUBIC)
    image_validate(data=encode(picture, "JPEG", quality=90, progressive=True), filename="big.jpg")
    (pid,) = one_process.pids()
    time.sleep(0.5)  # the memory is given back after the answer is sent
    assert resident_megabytes(pid) < 80
