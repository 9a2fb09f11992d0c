"""Test settings: the embedded defaults unless DATABASE_URL / REDIS_URL are set."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, env

SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
# Tests run tasks in-process unless a test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker started by a test is handed the same folders through the environment.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=tempfile.mkdtemp(prefix="stylematch-test-media-"))
MODEL_CACHE_DIR = env.str(
    "MODEL_CACHE_DIR", default=tempfile.mkdtemp(prefix="stylematch-test-models-")
)
# Rate-limit counters and debounce keys stay inside one test process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WORDCLOUD_DEBOUNCE_SECONDS = 0
# One torch thread: on a busy 2-core CI machine two threads wait on each other (docs/benchmarks.md).
TORCH_THREADS = env.int("TORCH_THREADS", default=1)
# No model loads when a test imports the WSGI application, unless the test asks.
STYLE_MODEL_PRELOAD = env.bool("STYLE_MODEL_PRELOAD", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a worker process started by a test sees the same database.
    DATABASES["default"]["TEST"] = {
        "NAME": tempfile.mktemp(prefix="stylematch-test-", suffix=".sqlite3")
    }

# No outside host is ever fetched in tests (a DNS look-up included): a test that serves a fake CDN
# on the loopback widens the allow-list for itself.
SAFE_FETCH_ALLOWED_HOSTS: list[str] = []

# Serve static files straight from the finders; no collectstatic needed outside production.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
