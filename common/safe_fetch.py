"""Fetch a URL from the outside safely: only allowed hosts, only public addresses, bounded.

For links an export or an API gives us (an Apify `displayUrl`, a Graph API `media_url`), which
anyone could have written:

- the host must match the allow-list (`*.cdninstagram.com` matches `scontent.cdninstagram.com`);
- every address the host resolves to must be public (no loopback, private, link-local, multicast,
  reserved or metadata address), and the connection goes to the checked address itself, so a
  second DNS answer cannot rebind the name to an inside address;
- redirects are followed by hand, each one checked the same way, at most `max_redirects`;
- the body is streamed and the fetch aborted past `max_bytes` or past `timeout_s` in all;
- 5xx answers, time-outs and refused connections are tried again `retries` times with back-off.

What the bytes are is the caller's to check (images: common.uploads.image_validate).
"""

import fnmatch
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext_noop

from common.errors import ApplicationError

REDIRECTS = (301, 302, 303, 307, 308)
EXPIRED = (403, 410)  # a signed CDN link past its time answers one of these
_CHUNK = 64 * 1024
_PORTS = {"http": 80, "https": 443}
USER_AGENT = "StyleMatch-fetch/1"


class FetchRefused(ApplicationError):
    """The URL was not fetched. `code` says why; `transient` ones are worth trying again later.

    `message_id` (English) and `params` let a stored state be shown in its reader's language."""

    def __init__(
        self,
        message_id: str,
        params: dict | None = None,
        *,
        code: str,
        transient: bool = False,
        status: int | None = None,
    ):
        self.message_id, self.params = message_id, params or {}
        self.transient, self.status = transient, status
        super().__init__(message_id % self.params if self.params else message_id, code=code)


@dataclass(frozen=True)
class FetchPolicy:
    allowed_hosts: tuple[str, ...]
    max_bytes: int
    timeout_s: float
    max_redirects: int = 3
    retries: int = 2
    backoff_s: float = 1.0
    # Only for tests that serve a fake CDN on 127.0.0.1: loopback addresses pass the check.
    allow_loopback: bool = False

    @classmethod
    def from_settings(cls, **overrides) -> "FetchPolicy":
        values = {
            "allowed_hosts": tuple(settings.SAFE_FETCH_ALLOWED_HOSTS),
            "max_bytes": settings.SAFE_FETCH_MAX_BYTES,
            "timeout_s": settings.SAFE_FETCH_TIMEOUT_S,
            "max_redirects": settings.SAFE_FETCH_MAX_REDIRECTS,
            "retries": settings.SAFE_FETCH_RETRIES,
            "backoff_s": settings.SAFE_FETCH_BACKOFF_S,
            "allow_loopback": settings.SAFE_FETCH_ALLOW_LOOPBACK,
        }
        return cls(**{**values, **overrides})


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str
    url: str  # the last URL, after redirects


def url_fetch(url: str, *, policy: FetchPolicy | None = None) -> Fetched:
    """GET `url` under `policy` (settings by default); raises FetchRefused."""
    policy = policy or FetchPolicy.from_settings()
    attempt = 0
    while True:
        try:
            return _fetch_following_redirects(url, policy)
        except FetchRefused as exc:
            if not exc.transient or attempt >= policy.retries:
                raise
        time.sleep(policy.backoff_s * 2**attempt)
        attempt += 1


def host_allowed(host: str, allowed_hosts) -> bool:
    """Whether a host name matches the allow-list (`*.example.com` patterns, case-insensitive)."""
    host = host.lower().rstrip(".")
    return any(fnmatch.fnmatchcase(host, pattern.lower()) for pattern in allowed_hosts)


def address_allowed(address: str, *, allow_loopback: bool = False) -> bool:
    """Only public unicast addresses (an IPv4 address written as IPv6 is checked as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if allow_loopback and ip.is_loopback:
        return True
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _fetch_following_redirects(url: str, policy: FetchPolicy) -> Fetched:
    deadline = time.monotonic() + policy.timeout_s
    for _ in range(policy.max_redirects + 1):
        status, location, fetched = _fetch_once(url, policy, deadline)
        if status not in REDIRECTS:
            return fetched
        if not location:
            raise FetchRefused(
                gettext_noop("a redirect without a Location"), code="bad_redirect", status=status
            )
        url = urljoin(url, location)
    raise FetchRefused(
        gettext_noop("more than %(limit)s redirects"),
        {"limit": policy.max_redirects},
        code="too_many_redirects",
    )


def _target(url: str, policy: FetchPolicy) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, path, checked address) or FetchRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port or _PORTS.get(parts.scheme)
    except ValueError as exc:
        raise FetchRefused(gettext_noop("not a URL"), code="bad_url") from exc
    host = parts.hostname or ""
    if parts.scheme not in _PORTS or not host or parts.username or parts.password:
        raise FetchRefused(gettext_noop("not an http(s) URL"), code="bad_url")
    if not host_allowed(host, policy.allowed_hosts):
        raise FetchRefused(
            gettext_noop("the host %(host)s is not on the allow-list"),
            {"host": host},
            code="host_not_allowed",
        )
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchRefused(
            gettext_noop("the host %(host)s does not resolve"),
            {"host": host},
            code="unresolvable",
            transient=True,
        ) from exc
    addresses = [info[4][0] for info in infos]
    refused = [a for a in addresses if not address_allowed(a, allow_loopback=policy.allow_loopback)]
    if refused or not addresses:
        raise FetchRefused(
            gettext_noop("%(host)s resolves to an address that is not public (%(address)s)"),
            {"host": host, "address": refused[0] if refused else "none"},
            code="address_not_allowed",
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, host, port, path, addresses[0]


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused(gettext_noop("timed out"), code="timeout", transient=True)
    return left


def _fetch_once(url: str, policy: FetchPolicy, deadline: float):
    scheme, host, port, path, address = _target(url, policy)
    connection = http.client.HTTPConnection(host, port, timeout=_remaining(deadline))
    try:
        try:
            sock = socket.create_connection((address, port), timeout=_remaining(deadline))
            if scheme == "https":  # the certificate is checked against the host name
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            connection.sock = sock  # connected to the checked address: no second lookup
            connection.request(
                "GET", path, headers={"User-Agent": USER_AGENT, "Accept": "image/*, */*;q=0.5"}
            )
            response = connection.getresponse()
            status = response.status
            if status in REDIRECTS:
                return status, response.getheader("Location", ""), None
            if status in EXPIRED:
                raise FetchRefused(
                    gettext_noop("the link has expired (HTTP %(status)s)"),
                    {"status": status},
                    code="link_expired",
                    status=status,
                )
            if status >= 500:
                raise FetchRefused(
                    gettext_noop("the server failed (HTTP %(status)s)"),
                    {"status": status},
                    code="server_error",
                    transient=True,
                    status=status,
                )
            if status != 200:
                raise FetchRefused(
                    gettext_noop("HTTP %(status)s"),
                    {"status": status},
                    code="http_error",
                    status=status,
                )
            content = _body_read(response, sock, policy, deadline)
        except TimeoutError as exc:
            raise FetchRefused(gettext_noop("timed out"), code="timeout", transient=True) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchRefused(
                gettext_noop("the connection failed (%(reason)s)"),
                {"reason": type(exc).__name__},
                code="connection_failed",
                transient=True,
            ) from exc
    finally:
        connection.close()
    return status, "", Fetched(content, response.getheader("Content-Type", ""), url)


def _body_read(response, sock, policy: FetchPolicy, deadline: float) -> bytes:
    """The body, streamed: aborted past max_bytes (announced or read) or past the deadline."""
    too_large = FetchRefused(
        gettext_noop("larger than %(limit)s bytes"),
        {"limit": f"{policy.max_bytes:,}"},
        code="too_large",
    )
    length = response.getheader("Content-Length", "")
    if length.isdigit() and int(length) > policy.max_bytes:
        raise too_large
    chunks, size = [], 0
    while True:
        sock.settimeout(_remaining(deadline))
        chunk = response.read1(_CHUNK)
        if not chunk:
            if length.isdigit() and size != int(length):  # the server closed before the end
                raise FetchRefused(
                    gettext_noop("the body ended after %(size)s of %(length)s bytes"),
                    {"size": size, "length": length},
                    code="truncated",
                    transient=True,
                )
            return b"".join(chunks)
        size += len(chunk)
        if size > policy.max_bytes:
            raise too_large
        chunks.append(chunk)
