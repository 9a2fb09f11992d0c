"""What a Graph API call can end in, by meaning (Meta's documented error codes), and the words
for each refresh error in the reader's language."""

from django.utils.translation import gettext, gettext_noop

# https://developers.facebook.com/docs/graph-api/guides/error-handling
TOKEN_INVALID_CODES = frozenset({190})  # expired, revoked or otherwise invalid access token
# 4: app limit, 17: user limit, 32: page limit, 613: custom limit, 80002: Instagram account limit
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80002})
# 24 (no such object), 110 (invalid user id: the handle is no professional account business
# discovery can read, or does not exist)
ACCOUNT_UNAVAILABLE_CODES = frozenset({24, 110})
ACCOUNT_NOT_FOUND_CODE = 24

# A refresh's outcome per account and per run, stored as its code.
REFRESH_ERRORS = {
    "token_invalid": gettext_noop(
        "The Instagram token was refused (expired or revoked): enter a new one. %(detail)s"
    ),
    "token_missing": gettext_noop(
        "No Instagram token or business account id is configured: enter them in admin."
    ),
    "not_found": gettext_noop(
        "Instagram has no account by this name: its refresh is stopped. %(detail)s"
    ),
    "not_professional": gettext_noop(
        "Business discovery cannot read this account (it is not a professional account, or it "
        "is age-restricted): its refresh is stopped. %(detail)s"
    ),
    "rate_limited": gettext_noop(
        "Instagram's rate limit was reached; the refresh waits. %(detail)s"
    ),
    "server_error": gettext_noop("Instagram answered with a server error. %(detail)s"),
    "timeout": gettext_noop("Instagram did not answer in time. %(detail)s"),
    "bad_response": gettext_noop("Instagram's answer could not be read. %(detail)s"),
    "api_error": gettext_noop("Instagram refused the request. %(detail)s"),
    "import_error": gettext_noop("The account's posts could not be stored. %(detail)s"),
}


def refresh_error_text(code: str, detail: str = "") -> str:
    """A stored refresh error in the active language (the API's detail stays as it said it)."""
    message = REFRESH_ERRORS.get(code)
    if message is None:
        return detail
    return (gettext(message) % {"detail": detail}).strip()


class GraphError(Exception):
    """A call that did not give data; `code` is a REFRESH_ERRORS key, `detail` the API's words."""

    code = "api_error"

    def __init__(self, detail: str = "", *, api_code: int | None = None, subcode=None):
        super().__init__(detail)
        self.detail = detail
        self.api_code = api_code
        self.subcode = subcode


class TokenInvalid(GraphError):
    """190: no call with this token can succeed; every refresh stops."""

    code = "token_invalid"


class RateLimited(GraphError):
    """A rate-limit error, or usage at the stop: no call before `wait_seconds` have passed."""

    code = "rate_limited"

    def __init__(self, detail: str = "", *, wait_seconds: float, **kwargs):
        super().__init__(detail, **kwargs)
        self.wait_seconds = wait_seconds


class AccountUnavailable(GraphError):
    """24/110: this account cannot be read; its refresh stops, the run goes on."""

    code = "not_professional"

    def __init__(self, detail: str = "", **kwargs):
        super().__init__(detail, **kwargs)
        if self.api_code == ACCOUNT_NOT_FOUND_CODE:
            self.code = "not_found"


class ServerError(GraphError):
    """5xx after every retry: this account fails, the run goes on."""

    code = "server_error"


class CallTimedOut(GraphError):
    code = "timeout"


class BadResponse(GraphError):
    """A body that is not the JSON the API documents (truncated, HTML from a proxy)."""

    code = "bad_response"
