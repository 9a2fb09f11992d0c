"""The one application error type; pages and the API map it to HTTP in one place each."""

from django.utils.translation import gettext


class ApplicationError(Exception):
    """A failure the user can act on: a stable machine code and a readable message."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    status_code = 404

    def __init__(self, message: str = "", *, code: str = "not_found"):
        # In the language of the request that raises it (an API client's Accept-Language).
        super().__init__(message or gettext("Not found."), code=code)


class PermissionDeniedError(ApplicationError):
    status_code = 403

    def __init__(self, message: str, *, code: str = "permission_denied"):
        super().__init__(message, code=code)


class RateLimitedError(ApplicationError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, code="rate_limited", extra={"retry_after": retry_after})
        self.retry_after = retry_after
