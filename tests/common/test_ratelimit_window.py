"""The rate limit counts the last period, not a fixed window a burst can straddle."""

import pytest

from common import ratelimit
from common.errors import RateLimitedError


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(1_000_000 * 60 + 59.0)  # one second before a minute's window ends
    monkeypatch.setattr(ratelimit.time, "time", clock)
    return clock


def hit(n=1):
    for _ in range(n):
        ratelimit.rate_limit_hit(scope=ratelimit.LOGIN, ident="203.0.113.9", rate="10/minute")


def test_a_burst_across_the_window_boundary_is_refused_after_the_limit(clock):
    hit(10)  # the last second of one window
    clock.now += 1.5  # the first second of the next
    with pytest.raises(RateLimitedError) as refused:
        hit()
    assert 1 <= refused.value.retry_after <= 60
    assert "로그인 시도가 너무 많습니다" in refused.value.message


def test_the_allowance_comes_back_as_the_burst_ages(clock):
    hit(10)
    clock.now += 61  # the whole burst is a period old
    hit(10)  # allowed again, as fast as before


def test_the_retry_after_it_announces_is_when_an_attempt_is_allowed_again(clock):
    hit(10)
    clock.now += 1.5
    with pytest.raises(RateLimitedError) as refused:
        hit()
    clock.now += refused.value.retry_after
    hit()  # no longer refused
