"""Run a benchmark against a throw-away database (test_<name>), on SQLite or DATABASE_URL."""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# Queue background work (on an in-memory broker unless REDIS_URL is set) instead of running it
# inline, as the web process does in production: the figures are the service's own.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")


@contextmanager
def bench_database():
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield connection.vendor
    finally:
        teardown_databases(old, verbosity=0)
