"""A fixed-window rate limit shared by the upload page and the upload API."""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from common.errors import RateLimitedError

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/hour' -> (30, 3600)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip()[0]]


def rate_limit_hit(*, scope: str, ident: str, rate: str | None = None) -> None:
    """Count one action; raise RateLimitedError once the window's allowance is spent."""
    rate = rate or settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]
    limit, period = parse_rate(rate)
    now = int(time.time())
    window = now // period
    key = f"ratelimit:{scope}:{ident}:{window}"
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=period + 5)
        count = 1
    if count > limit:
        retry_after = (window + 1) * period - now
        raise RateLimitedError(
            _("Too many uploads; try again in %(s)d seconds.") % {"s": retry_after},
            retry_after=max(retry_after, 1),
        )
