"""Issue 21: the password reset page told which e-mails are registered by its time (median 76 ms
for a registered address, 25 ms for an unknown one). Now both requests queue the same task and the
worker looks the address up, so the two kinds of answers come from one distribution.

Mail goes to an SMTP server on the loopback, so sending costs a real SMTP conversation as it
does in production. Statistical, not a time threshold: many alternating requests, compared by the probability that
a registered address's answer is slower than an unknown one's (Mann-Whitney's U divided by the
number of pairs; 0.5 when the two cannot be told apart, ~1.0 before the fix). Alternating keeps
a busy machine's slow spells on both sides alike.
"""

import socketserver
import threading
import time

import pytest
import redis
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db]

ROUNDS = 150


class SmtpSink(socketserver.ThreadingTCPServer):
    """A mail server on the loopback that accepts every message and keeps it (the mail an SMTP
    relay would take: sending costs a real SMTP conversation, as in production)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.messages = []
        super().__init__(("127.0.0.1", 0), SmtpSession)


class SmtpSession(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 sink\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                self.server.messages.append(body)
                self.wfile.write(b"250 kept\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp(settings):
    sink = SmtpSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.server_address[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    sink.shutdown()
    sink.server_close()


def mann_whitney_share(slower: list[float], faster: list[float]) -> float:
    """P(a value of `slower` > a value of `faster`), ties counting half: U / (n1 * n2)."""
    ranked = sorted([(v, 0) for v in slower] + [(v, 1) for v in faster])
    ranks, i = {}, 0
    while i < len(ranked):
        j = i
        while j + 1 < len(ranked) and ranked[j + 1][0] == ranked[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = sum(ranks[k] for k, (_, group) in enumerate(ranked) if group == 0)
    u = rank_sum - len(slower) * (len(slower) + 1) / 2
    return u / (len(slower) * len(faster))


def test_mann_whitney_share_sees_a_shift_and_no_shift():
    assert mann_whitney_share([2, 3, 4], [0, 1, 1.5]) == 1.0
    assert mann_whitney_share([1, 2, 3], [1, 2, 3]) == 0.5


def test_the_smtp_sink_takes_a_mail(smtp):
    from django.core.mail import send_mail

    send_mail("subject", "body", "a@example.com", ["b@example.com"])
    assert len(smtp.messages) == 1 and b"body" in smtp.messages[0]


def test_a_reset_answers_alike_for_registered_and_unknown_addresses(
    client, broker_mode, redis_url, settings, smtp
):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "password_reset": "100000/hour",
        "password_reset_mail": "100000/hour",
    }
    UserFactory(email="member@example.com")
    url = reverse("accounts:password_reset")
    queue = redis.Redis.from_url(redis_url)
    times = {"member@example.com": [], "stranger@example.com": []}
    answers = set()
    for n in range(ROUNDS + 10):
        for email in times if n % 2 else reversed(list(times)):
            started = time.perf_counter()
            response = client.post(url, {"email": email})
            took = time.perf_counter() - started
            answers.add((response.status_code, response["Location"]))
            if n >= 10:  # the first rounds warm caches and connections
                times[email].append(took)
    assert answers == {(302, reverse("accounts:password_reset_done"))}
    share = mann_whitney_share(times["member@example.com"], times["stranger@example.com"])
    assert 0.3 < share < 0.7, share
    # Both kinds queued one mail task each and sent nothing in the request.
    assert queue.llen(settings.QUEUE_INTERACTIVE) == 2 * (ROUNDS + 10)
    assert smtp.messages == []


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_queued_reset_mail_to_the_account_only(
    client, broker_mode, redis_url, smtp, settings, tmp_path
):
    """The other half of the path: a Celery worker on Redis looks the address up and mails the
    link through SMTP; the unknown address gets nothing."""
    from tests.conftest import Worker, wait_for

    UserFactory(email="member@example.com")
    worker = Worker(
        redis_url,
        settings.MEDIA_ROOT,
        tmp_path / "mail-worker.log",
        extra_env={
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(settings.EMAIL_PORT),
            "EMAIL_USE_TLS": "false",
        },
        queues="interactive",
    ).start()
    try:
        for email in ("stranger@example.com", "member@example.com"):
            response = client.post(reverse("accounts:password_reset"), {"email": email})
            assert response.status_code == 302
        # One worker process takes the queue in order: the stranger's task has run by now.
        wait_for(lambda: smtp.messages, timeout=60)
    finally:
        worker.stop()
    assert len(smtp.messages) == 1
    message = smtp.messages[0].decode()
    assert "To: member@example.com" in message
    assert "/accounts/password/reset/" in message
