"""Calls to the Instagram Graph API within its rate limits.

Every answer's usage headers (X-App-Usage, X-Business-Use-Case-Usage: percentages of the call
count, CPU time and total time of the window, and the minutes until access returns) feed one
UsagePacer: above GRAPH_USAGE_SLOW_PERCENT calls are spaced out, at GRAPH_USAGE_STOP_PERCENT (or
an error that says the limit was hit) no further call is made until the window has passed; the
pacer raises RateLimited *before* calling. Server errors, time-outs and truncated answers are
retried with back-off; the other errors become the GraphError of their meaning (errors.py).

The token travels in the Authorization header, so no URL ever carries it (urllib3 logs URLs at
DEBUG), and no message this module raises or logs contains it.
"""

import datetime as dt
import email.utils
import json
import logging
import re
import time
from dataclasses import dataclass

import requests

from common.secrets import secret_redact
from influencers.graph.errors import (
    ACCOUNT_UNAVAILABLE_CODES,
    RATE_LIMIT_CODES,
    TOKEN_INVALID_CODES,
    AccountUnavailable,
    BadResponse,
    CallTimedOut,
    GraphError,
    RateLimited,
    ServerError,
    TokenInvalid,
)

log = logging.getLogger(__name__)

PROFILE_FIELDS = (
    "username,name,biography,followers_count,follows_count,media_count,profile_picture_url"
)
MEDIA_FIELDS = (
    "id,caption,like_count,comments_count,media_type,media_product_type,media_url,permalink,"
    "timestamp,children{id,media_url,media_type}"
)
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage")
USAGE_KEYS = ("call_count", "total_cputime", "total_time")
# An answer larger than this is not one page of an account (a broken proxy): refused unread.
MAX_BODY_BYTES = 8 * 1024 * 1024
_TOKEN_IN_URL = re.compile(r"((?:access|input)_token=)[^&\s\"']+")


class _TokenRedactingFilter(logging.Filter):
    """urllib3 logs each request's URL at DEBUG: debug_token's input_token must not reach a log."""

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_URL.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_TokenRedactingFilter())


@dataclass
class Usage:
    """The highest usage percentage the headers report, and minutes until access returns."""

    percent: float = 0.0
    regain_minutes: float = 0.0

    @classmethod
    def from_headers(cls, headers) -> "Usage | None":
        """None when the answer carries no (readable) usage header: absence is not headroom."""
        found = None
        for name in USAGE_HEADERS:
            raw = headers.get(name)
            if not raw:
                continue
            try:
                payload = json.loads(raw)
            except ValueError:
                log.warning("unreadable %s header ignored", name)
                continue
            for entry in _usage_entries(payload):
                found = found or cls()
                for key in USAGE_KEYS:
                    found.percent = max(found.percent, _number(entry.get(key)))
                found.regain_minutes = max(
                    found.regain_minutes, _number(entry.get("estimated_time_to_regain_access"))
                )
        return found


def _usage_entries(payload):
    """X-App-Usage is one object; X-Business-Use-Case-Usage maps business ids to lists of them."""
    if not isinstance(payload, dict):
        return
    if any(key in payload for key in USAGE_KEYS):
        yield payload
        return
    for value in payload.values():
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict):
                yield entry


def _retry_after_seconds(value) -> float:
    """Seconds a Retry-After header asks for: a number of seconds or an HTTP date; 0 when absent
    or unreadable."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if moment.tzinfo is None:
        return 0.0
    return max((moment - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number else 0.0  # NaN counts as nothing


class UsagePacer:
    """Spaces calls as usage rises and blocks them at the stop until the window has passed."""

    def __init__(
        self,
        *,
        slow_percent: float,
        stop_percent: float,
        max_delay: float,
        limit_wait: float,
        clock=time.monotonic,
        sleep=time.sleep,
    ):
        self.slow_percent, self.stop_percent = slow_percent, stop_percent
        self.max_delay, self.limit_wait = max_delay, limit_wait
        self.clock, self.sleep = clock, sleep
        self.usage = Usage()
        self.blocked_until: float | None = None
        self.slept = 0.0

    def observe(self, usage: Usage | None) -> None:
        if usage is None:
            return
        self.usage = usage
        if usage.percent >= self.stop_percent or usage.regain_minutes > 0:
            self.block(usage.regain_minutes * 60 or self.limit_wait)

    def block(self, seconds: float) -> None:
        until = self.clock() + max(seconds, 0)
        self.blocked_until = max(until, self.blocked_until or until)

    def wait_left(self) -> float:
        if self.blocked_until is None:
            return 0.0
        return max(self.blocked_until - self.clock(), 0.0)

    def before_call(self) -> None:
        """Raise RateLimited while blocked; sleep a little when usage is above the slow mark."""
        left = self.wait_left()
        if left > 0:
            raise RateLimited(f"usage at {self.usage.percent:g} %", wait_seconds=left)
        self.blocked_until = None
        percent = self.usage.percent
        if percent > self.slow_percent:
            share = (percent - self.slow_percent) / max(self.stop_percent - self.slow_percent, 1)
            delay = self.max_delay * min(share, 1.0)
            self.slept += delay
            self.sleep(delay)


class GraphClient:
    """One business account's view of the Graph API (a requests session with time-outs)."""

    def __init__(
        self,
        *,
        base_url: str,
        account_id: str,
        token: str,
        pacer: UsagePacer,
        timeout: tuple[float, float],
        attempts: int,
        backoff: float,
        session: requests.Session | None = None,
    ):
        self.base_url, self.account_id = base_url.rstrip("/"), account_id
        self._token = token
        self.pacer = pacer
        self.timeout, self.attempts, self.backoff = timeout, max(attempts, 1), backoff
        self.session = session or requests.Session()
        self.calls = 0

    def business_discovery(self, handle: str, *, after: str = "", page_size: int) -> dict:
        """One page of an account: its profile and `page_size` media from cursor `after`."""
        media = f"media.limit({int(page_size)})"
        if after:
            media = f"media.after({after}).limit({int(page_size)})"
        fields = (
            f"business_discovery.username({handle}){{{PROFILE_FIELDS},{media}{{{MEDIA_FIELDS}}}}}"
        )
        payload = self.get(f"/{self.account_id}", {"fields": fields})
        discovery = payload.get("business_discovery")
        if not isinstance(discovery, dict):
            raise BadResponse("the answer holds no business_discovery object")
        return payload

    def token_debug(self) -> dict:
        """debug_token about the client's own token: {"is_valid", "expires_at", ...}."""
        payload = self.get("/debug_token", {"input_token": self._token})
        data = payload.get("data")
        if not isinstance(data, dict):
            raise BadResponse("debug_token's answer holds no data object")
        return data

    def get(self, path: str, params: dict) -> dict:
        """GET with pacing and retries; the decoded JSON object, or a GraphError."""
        last: GraphError | None = None
        for attempt in range(self.attempts):
            if attempt:
                self.pacer.sleep(self.backoff * 2 ** (attempt - 1))
            self.pacer.before_call()
            try:
                return self._get_once(path, params)
            except (ServerError, CallTimedOut, BadResponse) as exc:
                last = exc
                log.warning("Graph API call failed (%s), attempt %d", exc.code, attempt + 1)
        raise last

    def _get_once(self, path: str, params: dict) -> dict:
        self.calls += 1
        try:
            response = self.session.get(
                f"{self.base_url}{path}",
                params=params,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self.timeout,
                stream=True,
            )
        except requests.Timeout as exc:
            raise CallTimedOut(type(exc).__name__) from None
        except requests.RequestException as exc:
            raise ServerError(f"connection failed ({type(exc).__name__})") from None
        with response:
            self.pacer.observe(Usage.from_headers(response.headers))
            try:
                body = self._body(response)
            except requests.RequestException as exc:
                raise BadResponse(f"truncated answer ({type(exc).__name__})") from None
        retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
        try:
            payload = json.loads(body)
        except ValueError:
            if response.status_code == 429:  # an edge's "Too Many Requests" page: still the limit
                raise self._error(None, 429, retry_after=retry_after) from None
            if response.status_code >= 500:
                raise ServerError(f"HTTP {response.status_code}") from None
            raise BadResponse(f"HTTP {response.status_code}, not JSON") from None
        if not isinstance(payload, dict):
            raise BadResponse("the answer is not a JSON object")
        if "error" in payload or response.status_code >= 400:
            raise self._error(payload.get("error"), response.status_code, retry_after=retry_after)
        return payload

    def _body(self, response) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise BadResponse(f"answer larger than {MAX_BODY_BYTES // 2**20} MB")
            chunks.append(chunk)
        return b"".join(chunks)

    def _error(self, error, status: int, *, retry_after: float = 0.0) -> GraphError:
        """The GraphError an error body means (Meta: {"error": {"message", "type", "code",
        "error_subcode", "fbtrace_id"}}); `retry_after`: the seconds a Retry-After header asked."""
        if not isinstance(error, dict):
            error = {}
        code, subcode = error.get("code"), error.get("error_subcode")
        message = secret_redact(str(error.get("message", ""))[:300], self._token)
        detail = f"{message} (code {code}" + (f", subcode {subcode})" if subcode else ")")
        if not error:
            detail = f"HTTP {status}"
        kwargs = {"api_code": code, "subcode": subcode}
        if code in TOKEN_INVALID_CODES:
            return TokenInvalid(detail, **kwargs)
        if code in RATE_LIMIT_CODES or status == 429:
            # The longest wait any part of the answer asked for; the fallback when none did.
            asked = max(self.pacer.usage.regain_minutes * 60, retry_after)
            self.pacer.block(asked or self.pacer.limit_wait)
            return RateLimited(detail, wait_seconds=self.pacer.wait_left(), **kwargs)
        if code in ACCOUNT_UNAVAILABLE_CODES:
            return AccountUnavailable(detail, **kwargs)
        if status >= 500 or error.get("is_transient"):
            return ServerError(detail or f"HTTP {status}", **kwargs)
        return GraphError(detail or f"HTTP {status}", **kwargs)
