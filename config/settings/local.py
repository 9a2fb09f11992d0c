"""Developer settings: `make run` on a fresh machine."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="local-development-only-key-not-for-production-use-0123456789"
)

# The embedded defaults keep everything under data/: make sure it exists on a fresh clone.
DATA_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Serve static files straight from the finders; no collectstatic needed outside production.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
