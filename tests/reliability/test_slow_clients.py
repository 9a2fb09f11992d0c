"""Slow clients against the production serving config (config/gunicorn.py).

Issue 16: two clients sending a body one byte every 2 s made sync gunicorn unresponsive; /healthz
timed out. Here ten such clients trickle for a while, and /healthz must keep answering quickly.
"""

import socket
import threading
import time
import urllib.request

import pytest

from tests.reliability.gunicorn_site import GunicornSite

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SLOW_CLIENTS = 10
TRICKLE_SECONDS = 12


def trickle(port: int, stop: threading.Event, started: list, dropped: list):
    """Send headers, then a body of 10,000 bytes one byte every 2 s, until told to stop.

    The token endpoint is open to anyone and reads the whole body before it answers.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(
            b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 10000\r\n\r\n"
        )
        started.append(conn)
        try:
            while not stop.is_set():
                conn.sendall(b"a")
                stop.wait(2)
        except OSError as exc:
            dropped.append(repr(exc))


def test_clients_trickling_a_body_do_not_freeze_the_site(redis_url, settings, tmp_path):
    site = GunicornSite(
        redis_url=redis_url,
        media_root=settings.MEDIA_ROOT,
        log_path=tmp_path / "gunicorn.log",
        workers=2,
    ).start()
    stop, started, dropped, threads = threading.Event(), [], [], []
    try:
        for _ in range(SLOW_CLIENTS):
            thread = threading.Thread(target=trickle, args=(site.port, stop, started, dropped))
            thread.start()
            threads.append(thread)
        deadline = time.time() + 10
        while len(started) < SLOW_CLIENTS and time.time() < deadline:
            time.sleep(0.1)
        assert len(started) == SLOW_CLIENTS
        answers = []
        end = time.time() + TRICKLE_SECONDS
        while time.time() < end:
            try:
                with urllib.request.urlopen(site.url("/healthz"), timeout=3) as response:
                    answers.append(response.status)
            except OSError as exc:  # a timeout here is the freeze of issue 16
                answers.append(repr(exc))
            time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
        site.stop()
    assert answers == [200] * len(answers), answers
    assert len(answers) >= TRICKLE_SECONDS // 2
    assert dropped == []  # the slow clients were held open all along: the attack really ran
