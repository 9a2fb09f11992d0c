"""Health of the components a request depends on.

The database and the broker are checked here; higher apps add their own components through
`health_check_register` (the recommender adds the style model), so this module imports none of them.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import connection

HealthCheck = Callable[[], tuple[bool, str]]
_extra_checks: dict[str, HealthCheck] = {}


def health_check_register(name: str, check: HealthCheck) -> None:
    """Add a component to /healthz (an app's ready() calls this once)."""
    _extra_checks[name] = check


def database_check() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # any driver error means "down"
        return False, f"{type(exc).__name__}: {exc}"[:200]


def broker_check() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "in-process (no broker configured)"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        return True, "ok"
    except Exception as exc:  # connection refused, timeout, auth
        return False, f"{type(exc).__name__}: {exc}"[:200]


def health_report() -> tuple[bool, dict]:
    db_ok, db_detail = database_check()
    broker_ok, broker_detail = broker_check()
    report = {
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
    }
    healthy = db_ok and broker_ok
    for name, check in _extra_checks.items() if db_ok else ():  # they read the database
        ok, detail = check()
        report[name] = {"ok": ok, "detail": detail}
        healthy = healthy and ok
    return healthy, report
