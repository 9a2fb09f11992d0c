"""A costly image decode under the production serving config does not freeze the web worker.

Issue 21: uploads were decoded on the gevent event loop, so one image that takes seconds to decode
held every other connection of its worker (/healthz included) until it was done. Now the decode
runs in a decode process of the worker (common/decode_pool.py) and the loop keeps answering
meanwhile; a decode past its limit, or whose process dies, is answered and its process replaced.
"""

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from accounts.tokens import api_token_create
from tests.common.test_decode_processes import cpu_seconds, photo, slow_jpeg
from tests.common.test_upload_scans import many_scan_jpeg
from tests.factories import UserFactory
from tests.reliability.gunicorn_site import GunicornSite

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def multipart_upload(port: int, token: str, image: bytes, outcome: dict) -> None:
    """POST the image to the upload API on a raw socket; note when it was sent and answered."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="look.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + image
        + f"\r\n--{boundary}--\r\n".encode()
    )
    head = (
        "POST /api/v1/recommendations/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Authorization: Token {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as conn:
        conn.sendall(head + body)
        outcome["sent_at"] = time.monotonic()
        answer = conn.recv(65536)
        outcome["answered_at"] = time.monotonic()  # its first bytes
        while chunk := conn.recv(65536):
            answer += chunk
    outcome["status"] = int(answer.split(b" ", 2)[1])
    outcome["body"] = answer.partition(b"\r\n\r\n")[2]


def test_health_checks_are_answered_while_an_upload_is_still_decoding(
    redis_url, settings, tmp_path
):
    # One worker: the upload and the health checks share its event loop. The scan limit is lifted
    # so that the image really decodes (several seconds here) instead of being refused at once.
    site = GunicornSite(
        redis_url=redis_url,
        media_root=settings.MEDIA_ROOT,
        log_path=tmp_path / "gunicorn.log",
        workers=1,
        env={"UPLOAD_JPEG_MAX_SCANS": "100000", "UPLOAD_DECODE_TIMEOUT": "300"},
    ).start()
    token = api_token_create(user=UserFactory())[1]
    outcome: dict = {}
    health_answers = []  # (sent after the upload was sent, answered at)
    try:
        upload = threading.Thread(
            target=multipart_upload,
            args=(site.port, token, many_scan_jpeg((3000, 3000), extra_scans=100), outcome),
        )
        upload.start()
        while "sent_at" not in outcome and upload.is_alive():
            time.sleep(0.01)
        while upload.is_alive():
            with urllib.request.urlopen(site.url("/healthz"), timeout=120) as response:
                health_answers.append((response.status, time.monotonic()))
            time.sleep(0.2)
        upload.join()
    finally:
        site.stop()
    assert outcome["status"] == 202  # the image was decoded and accepted: the slow path really ran
    during_upload = [at for status, at in health_answers if at < outcome["answered_at"]]
    # Blocked, the loop answers at most the check that slipped in before the decode began.
    assert len(during_upload) >= 5, (health_answers, outcome)
    assert {status for status, _ in health_answers} == {200}


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(child) for child in found.stdout.split()]


def decode_processes(site: GunicornSite) -> list[int]:
    """The decode processes of the site's gunicorn workers."""
    return [
        child
        for worker in children(site.process.pid)
        for child in children(worker)
        if b"common.image_decode" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def test_under_gevent_stuck_and_crashed_decodes_are_answered_and_their_processes_replaced(
    redis_url, settings, tmp_path
):
    """One worker with one decode process: a decode past its limit (5 s) is refused as too slow
    and its process killed; a decode process killed mid-decode is a 400 with its code; after
    each, a fresh process serves the next upload."""
    site = GunicornSite(
        redis_url=redis_url,
        media_root=settings.MEDIA_ROOT,
        log_path=tmp_path / "gunicorn.log",
        workers=1,
        env={
            "UPLOAD_JPEG_MAX_SCANS": "100000",
            "UPLOAD_DECODE_TIMEOUT": "5",
            "UPLOAD_DECODE_PROCESSES": "1",
        },
    ).start()
    token = api_token_create(user=UserFactory())[1]
    try:
        warm, stuck, crashed, after = {}, {}, {}, {}
        multipart_upload(site.port, token, photo(), warm)
        assert warm["status"] == 202, warm
        (first,) = decode_processes(site)

        multipart_upload(site.port, token, slow_jpeg(), stuck)
        assert stuck["status"] == 400 and b'"decode_too_slow"' in stuck["body"], stuck
        (second,) = decode_processes(site)
        assert second != first and not os.path.exists(f"/proc/{first}")

        upload = threading.Thread(
            target=multipart_upload, args=(site.port, token, slow_jpeg(), crashed)
        )
        idle_cpu = cpu_seconds(second)
        upload.start()
        while cpu_seconds(second) < idle_cpu + 0.05 and upload.is_alive():
            time.sleep(0.02)  # until it is decoding
        os.kill(second, signal.SIGKILL)
        upload.join()
        assert crashed["status"] == 400 and b'"decode_failed"' in crashed["body"], crashed

        (third,) = decode_processes(site)
        assert third not in (first, second)
        multipart_upload(site.port, token, photo(), after)
        assert after["status"] == 202, after
        with urllib.request.urlopen(site.url("/healthz"), timeout=30) as response:
            assert response.status == 200
    finally:
        site.stop()
