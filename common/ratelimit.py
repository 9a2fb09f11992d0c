"""The one rate-limit mechanism: sliding windows counted in the shared cache, one scope per action.

A fixed window would let a burst across its boundary through twice (ten guesses at :59, ten more
at :00); the count used here is the current window's plus the previous window's weighted by how
much of it still lies within one period, the usual sliding-window estimate.

Rates live in settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], e.g. "10/minute"); each scope
has its own message here. With REDIS_URL set the cache is Redis, so a limit holds across every
web process and machine (production refuses to start without it).
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common.errors import RateLimitedError

log = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

LOGIN = "login"
SIGNUP = "signup"
PASSWORD_CHANGE = "password_change"
PASSWORD_RESET = "password_reset"
UPLOADS = "uploads"

# %(wait)s is a human duration such as "56분" / "56 minutes".
MESSAGES = {
    LOGIN: gettext_lazy("Too many log-in attempts; try again in %(wait)s."),
    SIGNUP: gettext_lazy("Too many sign-ups from your network; try again in %(wait)s."),
    PASSWORD_CHANGE: gettext_lazy("Too many password changes; try again in %(wait)s."),
    PASSWORD_RESET: gettext_lazy("Too many password reset requests; try again in %(wait)s."),
    UPLOADS: gettext_lazy("Too many uploads; try again in %(wait)s."),
}


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/hour' -> (30, 3600)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip()[0]]


def wait_display(seconds: int) -> str:
    """A wait in the largest units that read naturally: '45초', '56분', '1시간 5분'."""
    seconds = max(int(seconds), 1)
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    text = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if minutes:
        text += " " + ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return text


def client_address(request) -> str:
    """The client's address; behind TRUSTED_PROXY_COUNT proxies, the one the outermost wrote."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "?"


def _count(key: str, previous_key: str, period: int) -> tuple[int, int] | None:
    """Add one to this window's counter: (this window's count, the previous window's), or None
    when the cache cannot be reached."""
    try:
        timeout = 2 * period + 5  # the next window still reads this one
        cache.add(key, 0, timeout=timeout)
        try:
            current = cache.incr(key)
        except ValueError:  # expired or evicted between add and incr
            cache.set(key, 1, timeout=timeout)
            current = 1
        return current, int(cache.get(previous_key) or 0)
    except Exception:  # Redis down: counting is lost, the site must keep answering
        log.exception("rate limit not counted: the cache is unreachable (%s)", key)
        return None


def _seconds_until_allowed(*, limit: int, period: int, elapsed: float, current: int, previous: int):
    """How long until one more action fits under the sliding estimate (none made meanwhile)."""
    room = limit - current - 1  # what this window may still add, the next action included
    if room >= 0 and previous:
        # previous * (1 - t / period) + current + 1 <= limit, for t later in this window
        return max(period * (1 - room / previous) - elapsed, 1)
    # This window alone is full: wait for the next one, in which it weighs as the previous.
    return (period - elapsed) + max(period * (1 - (limit - 1) / current), 0)


def rate_limit_hit(*, scope: str, ident: str, rate: str | None = None) -> None:
    """Count one action; raise RateLimitedError once the allowance of the last period is spent."""
    rate = rate or settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    elapsed = now - window * period
    counts = _count(
        f"ratelimit:{scope}:{ident}:{window}", f"ratelimit:{scope}:{ident}:{window - 1}", period
    )
    if counts is None:
        return
    current, previous = counts
    if previous * (1 - elapsed / period) + current > limit:
        retry_after = math.ceil(
            _seconds_until_allowed(
                limit=limit, period=period, elapsed=elapsed, current=current, previous=previous
            )
        )
        message = MESSAGES.get(scope) or _("Too many requests; try again in %(wait)s.")
        raise RateLimitedError(
            message % {"wait": wait_display(retry_after)}, retry_after=retry_after
        )


def rate_limited_response(response, error: RateLimitedError | None):
    """Mark a page response as refused by a limit: 429 with Retry-After in seconds."""
    if error is not None:
        response.status_code = 429
        response["Retry-After"] = str(error.retry_after)
    return response


class RateLimitedFormMixin:
    """A form whose every bound submission counts against a limit before any field is checked.

    When the limit is spent the form is invalid with the scope's message (code "rate_limited"),
    nothing else is validated (so no password is hashed), and `rate_limited` holds the error for
    the view to answer 429 with `rate_limited_response`.
    """

    rate_limit_scope: str = ""
    rate_limited: RateLimitedError | None = None

    def rate_limit_idents(self) -> list[str]:
        """Who is counted: the client's address unless a form says otherwise."""
        request = getattr(self, "request", None)
        return [client_address(request)] if request is not None else []

    def full_clean(self):
        self.rate_limited = None
        if self.is_bound:
            try:
                for ident in self.rate_limit_idents():
                    rate_limit_hit(scope=self.rate_limit_scope, ident=ident)
            except RateLimitedError as exc:
                self.rate_limited = exc
                self._errors = ErrorDict()
                self.cleaned_data = {}
                self.add_error(None, ValidationError(exc.message, code="rate_limited"))
                return
        super().full_clean()
