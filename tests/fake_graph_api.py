"""A fake Instagram Graph API on the loopback, for tests and bench/graph_refresh.py.

It answers business discovery (`GET /{account}?fields=business_discovery.username(h){...
media.after(cursor).limit(n){...}}`) a page of media at a time with `paging.cursors.after`, and
`GET /debug_token`; error bodies are Meta's `{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}`. Usage headers come from a simulated budget (calls per window)
or are set by a test; faults (an error, a 5xx, a slow or truncated answer) are queued per call.
Every request is recorded, with the token it carried.
"""

import json
import re
import threading
import time
import urllib.parse
import zlib
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_USERNAME = re.compile(r"business_discovery\.username\(([^)]*)\)")
_AFTER = re.compile(r"media\.after\(([^)]*)\)")
_LIMIT = re.compile(r"media(?:\.after\([^)]*\))?\.limit\((\d+)\)")


def graph_error(code: int, message: str, *, subcode=None, kind="OAuthException") -> dict:
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGh123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


# The bodies Meta documents for each case (codes as in the Graph API's error-handling guide).
TOKEN_EXPIRED = graph_error(
    190, "Error validating access token: Session has expired on Thursday, 03-Dec-26.", subcode=463
)
NOT_FOUND = graph_error(24, "The requested user cannot be found.", subcode=2207013)
NOT_PROFESSIONAL = graph_error(110, "Invalid user id", subcode=2207013)


def rate_limit_error(code: int) -> dict:
    messages = {
        4: "Application request limit reached",
        17: "User request limit reached",
        32: "Page request limit reached",
        613: "Calls to this api have exceeded the rate limit.",
        80002: "There have been too many calls to this Instagram account.",
    }
    return graph_error(code, messages[code])


@dataclass
class Fault:
    status: int = 200
    body: dict | bytes | None = None
    delay: float = 0.0
    truncate: bool = False
    headers: dict = field(default_factory=dict)


IMAGE_BASE = "https://scontent.cdninstagram.com"


def media_item(
    n: int, *, handle: str, likes: int | None = 100, kind: str = "IMAGE", image_base=IMAGE_BASE
) -> dict:
    item = {
        "id": f"{zlib.crc32(handle.encode()) % 10**8:08d}{n:08d}",
        "caption": f"#{handle} 데일리룩 {n}",
        "comments_count": 3,
        "media_type": kind,
        "media_product_type": "FEED",
        "media_url": f"{image_base}/{handle}/{n}.jpg",
        "permalink": f"https://www.instagram.com/p/{handle}{n}/",
        "timestamp": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T12:00:00+0000",
    }
    if likes is not None:
        item["like_count"] = likes
    return item


class FakeGraph:
    def __init__(self, *, account_id="17841400000000001", tokens=("good-token-4f2a",)):
        self.account_id = account_id
        self.tokens = set(tokens)
        self.accounts: dict[str, dict] = {}
        self.account_errors: dict[str, dict] = {}  # handle -> error body (every call)
        self.faults: deque[Fault] = deque()  # the next calls' faults, in order
        self.usage_headers: dict[str, str] = {}  # sent with every answer when set
        self.debug_expires_at = 0
        self.requests: list[dict] = []
        # Where media_url and profile_picture_url point (a test sets its fake CDN's https base).
        self.image_base = IMAGE_BASE
        # Simulated budget: `budget_calls` per `budget_window` seconds, usage reported in
        # X-Business-Use-Case-Usage; calls past it get error 80002 and are counted.
        self.budget_calls: int | None = None
        self.budget_window = 60.0
        self.calls_past_limit = 0
        # Meta gives estimated_time_to_regain_access in whole minutes; a window shorter than a
        # minute (the benchmark's scaled hour) reports 0 and the client waits its own fallback.
        self.report_regain = True
        self._window: deque[float] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v24.0"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def add_account(self, handle: str, *, posts: int = 3, followers: int = 1000, **profile):
        media = [  # newest first
            media_item(n, handle=handle, image_base=self.image_base) for n in range(posts, 0, -1)
        ]
        self.accounts[handle.lower()] = {
            "profile": {
                "username": handle,
                "name": profile.get("name", f"{handle} 이름"),
                "biography": profile.get("biography", "패션 #ootd"),
                "followers_count": followers,
                "follows_count": profile.get("follows_count", 120),
                "media_count": len(media),
                "profile_picture_url": f"{self.image_base}/{handle}/p.jpg",
                "id": f"1784{zlib.crc32(handle.encode()) % 10**11:011d}",
            },
            "media": media,
        }
        return self.accounts[handle.lower()]

    def discovery_calls(self, handle: str | None = None) -> list[dict]:
        found = [r for r in self.requests if r.get("username") is not None]
        return [r for r in found if handle is None or r["username"].lower() == handle.lower()]

    # -- serving -------------------------------------------------------------------------------

    def _usage(self) -> tuple[dict, bool]:
        """Headers for one more call and whether the call is past the budget."""
        if self.budget_calls is None:
            return dict(self.usage_headers), False
        now = time.monotonic()
        while self._window and self._window[0] <= now - self.budget_window:
            self._window.popleft()
        past = len(self._window) >= self.budget_calls
        if not past:
            self._window.append(now)
        percent = round(100 * len(self._window) / self.budget_calls)
        regain = 0
        if self.report_regain and (past or percent >= 100):
            regain = max(1, round((self._window[0] + self.budget_window - now) / 60))
        usage = {
            self.account_id: [
                {
                    "type": "instagram",
                    "call_count": percent,
                    "total_cputime": percent // 2,
                    "total_time": percent // 2,
                    "estimated_time_to_regain_access": regain,
                }
            ]
        }
        return {"X-Business-Use-Case-Usage": json.dumps(usage), **self.usage_headers}, past

    def _answer(self, path: str, query: dict, auth: str) -> tuple[int, dict | bytes, dict, Fault]:
        fields = query.get("fields", "")
        username = _USERNAME.search(fields)
        with self._lock:
            self.requests.append(
                {
                    "path": path,
                    "fields": fields,
                    "username": username.group(1) if username else None,
                    "after": (_AFTER.search(fields) or [None, None])[1],
                    "authorization": auth,
                    "query": query,
                    "at": time.monotonic(),
                }
            )
            fault = self.faults.popleft() if self.faults else Fault()
            headers, past = self._usage()
            if past:
                self.calls_past_limit += 1
        headers.update(fault.headers)
        token = auth.removeprefix("Bearer ").strip()
        if fault.body is not None or fault.status != 200:
            return fault.status, fault.body or {}, headers, fault
        if past:
            return 403, rate_limit_error(80002), headers, fault
        if token not in self.tokens:
            return 400, TOKEN_EXPIRED, headers, fault
        if path.endswith("/debug_token"):
            return 200, self._debug(query.get("input_token", "")), headers, fault
        if not username or path.rstrip("/").split("/")[-1] != self.account_id:
            return 400, graph_error(100, "Unsupported get request.", subcode=33), headers, fault
        handle = username.group(1).lower()
        if handle in self.account_errors:
            return 400, self.account_errors[handle], headers, fault
        account = self.accounts.get(handle)
        if account is None:
            return 400, NOT_PROFESSIONAL, headers, fault
        return 200, self._page(account, fields), headers, fault

    def _debug(self, input_token: str) -> dict:
        return {
            "data": {
                "app_id": "1000000000",
                "type": "USER",
                "application": "StyleMatch",
                "expires_at": self.debug_expires_at,
                "is_valid": input_token in self.tokens,
                "scopes": ["instagram_basic", "pages_read_engagement"],
                "user_id": "100000000000001",
            }
        }

    def _page(self, account: dict, fields: str) -> dict:
        after = _AFTER.search(fields)
        limit = _LIMIT.search(fields)
        start = int(after.group(1).removeprefix("c")) if after else 0
        size = int(limit.group(1)) if limit else 25
        items = account["media"][start : start + size]
        media = {"data": items}
        if items:
            cursors = {"before": f"c{start}"}
            if start + size < len(account["media"]):
                cursors["after"] = f"c{start + size}"
            media["paging"] = {"cursors": cursors}
        return {
            "business_discovery": {**account["profile"], "media": media},
            "id": self.account_id,
        }

    def _handler(self):
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                parsed = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query))
                status, body, headers, fault = graph._answer(
                    parsed.path, query, self.headers.get("Authorization", "")
                )
                if fault.delay:
                    time.sleep(fault.delay)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data) * (2 if fault.truncate else 1)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(data[: len(data) // 2] if fault.truncate else data)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if fault.truncate:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        return Handler
