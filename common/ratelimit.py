"""The one rate-limit mechanism: a sliding period counted in the shared cache, one scope per action.

A fixed window would let a burst across its boundary through twice (ten guesses at :59, ten more
at :00); here the period is counted in BUCKETS slices, and an action is allowed while the slices
of the last period hold fewer than the limit.

Rates live in settings (RATE_LIMITS, e.g. "10/minute"; config/settings/security.py); each scope
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
BUCKETS = 10  # slices per period: the allowance slides in steps of a tenth of the period

LOGIN = "login"
SIGNUP = "signup"
PASSWORD_CHANGE = "password_change"
PASSWORD_RESET = "password_reset"
PASSWORD_RESET_MAIL = "password_reset_mail"
UPLOADS = "uploads"
# Uploads refused as invalid (400, nothing stored): counted apart with a larger limit, so a user
# who picked the wrong file keeps their uploads, while a script sending junk is still stopped.
REFUSED_UPLOADS = "refused_uploads"

# %(wait)s is a human duration such as "56분" / "56 minutes".
MESSAGES = {
    LOGIN: gettext_lazy("Too many log-in attempts; try again in %(wait)s."),
    SIGNUP: gettext_lazy("Too many sign-ups from your network; try again in %(wait)s."),
    PASSWORD_CHANGE: gettext_lazy("Too many password changes; try again in %(wait)s."),
    PASSWORD_RESET: gettext_lazy("Too many password reset requests; try again in %(wait)s."),
    UPLOADS: gettext_lazy("Too many uploads; try again in %(wait)s."),
    REFUSED_UPLOADS: gettext_lazy("Too many refused uploads; try again in %(wait)s."),
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


def _count(keys: list[str], timeout: int) -> list[int] | None:
    """Add one to the last key's counter; every key's count, or None when the cache cannot be
    reached.

    The last count is the value the atomic increment returned, not a later read: requests that
    arrive together each see their own place in line, so exactly the first ones up to the limit
    pass (a read after the increment would also see the others' increments and refuse too many).
    """
    try:
        cache.add(keys[-1], 0, timeout=timeout)
        try:
            position = cache.incr(keys[-1])
        except ValueError:  # expired or evicted between add and incr
            cache.set(keys[-1], 1, timeout=timeout)
            position = 1
        found = cache.get_many(keys[:-1])
        return [int(found.get(key) or 0) for key in keys[:-1]] + [int(position)]
    except Exception:  # Redis down: counting is lost, the site must keep answering
        log.exception("rate limit not counted: the cache is unreachable (%s)", keys[-1])
        return None


def _uncount(key: str) -> None:
    try:
        cache.decr(key)
    except Exception:  # evicted meanwhile, or the cache went away: nothing left to undo
        pass


def rate_limit_hit(*, scope: str, ident: str, rate: str | None = None, count: bool = True) -> None:
    """Count one action; raise RateLimitedError when the last period already holds the limit.

    The period is counted in BUCKETS slices, so the allowance slides with time (a burst across a
    boundary gets no second allowance) and Retry-After is when the oldest counted actions leave
    it. A refused action is not counted: the limit is on actions taken. With count=False it only
    checks that one more action would still fit (a form that counts only some submissions).
    """
    rate = rate or settings.RATE_LIMITS[scope]
    limit, period = parse_rate(rate)
    width = max(period / BUCKETS, 1)
    now = time.time()
    current = int(now // width)
    buckets = list(range(current - BUCKETS + 1, current + 1))
    keys = [f"ratelimit:{scope}:{ident}:{width:g}:{b}" for b in buckets]
    if count:
        counts = _count(keys, timeout=int(period + width) + 5)
        if counts is None or sum(counts) <= limit:
            return
        _uncount(keys[-1])
    else:
        counts = _read(keys)
        if counts is None or sum(counts) < limit:
            return
        counts[-1] += 1  # as if this one had been counted: when would it fit
    must_age_out, aged = sum(counts) - limit, 0
    for bucket, n in zip(buckets, counts, strict=True):
        aged += n
        if aged >= must_age_out:  # once this slice leaves the period, one more action fits
            retry_after = max(math.ceil((bucket + BUCKETS) * width - now), 1)
            break
    message = MESSAGES.get(scope) or _("Too many requests; try again in %(wait)s.")
    raise RateLimitedError(message % {"wait": wait_display(retry_after)}, retry_after=retry_after)


def _read(keys: list[str]) -> list[int] | None:
    try:
        found = cache.get_many(keys)
    except Exception:  # Redis down: as when counting, the site keeps answering
        log.exception("rate limit not read: the cache is unreachable (%s)", keys[-1])
        return None
    return [int(found.get(key) or 0) for key in keys]


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

    def rate_limit_counts(self) -> bool | None:
        """Whether this submission counts: None counts every bound submission before any field
        is checked (log-in: a guess is a guess); a form that limits only some submissions
        returns True or False once its fields are checked."""
        return None

    def full_clean(self):
        self.rate_limited = None
        if not self.is_bound:
            return super().full_clean()
        counts_every = type(self).rate_limit_counts is RateLimitedFormMixin.rate_limit_counts
        if self._rate_limit(count=counts_every):
            return
        super().full_clean()
        if not counts_every and self.rate_limit_counts():
            self._rate_limit(count=True)

    def _rate_limit(self, *, count: bool) -> bool:
        """Check (and count) one submission; True when it is refused (the form's only error)."""
        try:
            for ident in self.rate_limit_idents():
                rate_limit_hit(scope=self.rate_limit_scope, ident=ident, count=count)
        except RateLimitedError as exc:
            self.rate_limited = exc
            self._errors = ErrorDict()
            self.cleaned_data = {}
            self.add_error(None, ValidationError(exc.message, code="rate_limited"))
            return True
        return False
