"""Settings shared by every environment; everything that differs comes from the environment.

Embedded defaults need no service: SQLite, media on the local disk under data/, and Celery tasks
run in-process when no broker is configured. DATABASE_URL, REDIS_URL and the S3 variables switch
to the production components.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from .media_storage import media_origins, media_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DATA_DIR = Path(env.str("STYLEMATCH_DATA_DIR", default=str(BASE_DIR / "data")))

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "common",
    "accounts",
    "influencers",
    "recommender",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "common.middleware.ApplicationErrorMiddleware",
]

# Content-Security-Policy on every page (django-csp; Django 5.2 has no built-in CSP): scripts,
# styles, fonts and images only from this site, no inline script, no inline style, no framing.
# Media on S3-compatible storage is served from its own origin, so images allow it too.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *media_origins(env)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# Database: SQLite in data/ unless DATABASE_URL names another (PostgreSQL through psycopg 3).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A worker and the web process share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    # First: a megabyte "password" is refused before any other validator or hasher sees it.
    {"NAME": "accounts.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Korean first; English available through the language switcher.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Seoul"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))

# Media: local disk by default; S3-compatible storage (private objects, signed expiring URLs) when
# a bucket is configured.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    "default": media_storage(env),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploads: one limit for every path that takes an image (see common/uploads.py).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Celery (https://docs.celeryq.dev/en/stable/userguide/configuration.html)
REDIS_URL = env.str("REDIS_URL", default="")
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-url
CELERY_BROKER_URL = REDIS_URL or "memory://"
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#result-backend
# Status lives in the database; the result backend only serves the health/ping round trip.
CELERY_RESULT_BACKEND = REDIS_URL or None
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-ignore-result
CELERY_TASK_IGNORE_RESULT = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-always-eager
# Without a broker, tasks run in-process so the site works on a bare machine.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-eager-propagates
CELERY_TASK_EAGER_PROPAGATES = False
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-serializer
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Background work by latency (common/jobs.py reads these). A user waits for `interactive` work;
# `bulk` work (classification, re-classification, imports, word clouds) runs on its own workers, so
# a recommendation never queues behind a catalogue's worth of batches.
QUEUE_INTERACTIVE = "interactive"
QUEUE_BULK = "bulk"


def _job(kind: str, queue: str, soft_time_limit: int, deadline: int | None = None) -> dict:
    """One kind of background work: its queue, time limits and reconcile deadline (seconds).

    The hard limit leaves the soft limit's handler time to record the failure.
    """
    soft = env.int(f"{kind.upper()}_SOFT_TIME_LIMIT", default=soft_time_limit)
    return {
        "queue": queue,
        "soft_time_limit": soft,
        "time_limit": soft + max(30, soft // 10),
        # Work queued (or silent while running) longer than this is re-queued or failed.
        "deadline": env.int(f"{kind.upper()}_DEADLINE_SECONDS", default=deadline)
        if deadline
        else None,
    }


BACKGROUND_JOBS = {
    "recommendation": _job("recommendation", QUEUE_INTERACTIVE, 120, 300),
    "reconcile": _job("reconcile", QUEUE_INTERACTIVE, 120),
    "classification": _job("classification", QUEUE_BULK, 600, 1800),
    # A run works in slices of RECLASSIFY_SLICE_SECONDS and heartbeats every batch; silent this
    # long means its worker died and the run resumes from its last batch.
    "reclassification": _job("reclassification", QUEUE_BULK, 600, 300),
    "summary": _job("summary", QUEUE_BULK, 120, 900),
    # An import's heartbeat moves with every chunk of rows; silent this long means its worker died.
    "import": _job("import", QUEUE_BULK, 3000, 900),
}
# Shared retry policy for transient database errors (a restarted PostgreSQL, a locked SQLite file).
JOB_RETRY = {"max_retries": 3, "retry_backoff": 2, "retry_backoff_max": 60, "retry_jitter": True}
RECOMMENDATION_MAX_ATTEMPTS = env.int("RECOMMENDATION_MAX_ATTEMPTS", default=3)

# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-default-queue
CELERY_TASK_DEFAULT_QUEUE = QUEUE_INTERACTIVE
# https://docs.celeryq.dev/en/stable/userguide/routing.html#automatic-routing
# Each task goes to its kind's queue (the `job_kind` option common.jobs.job_task sets).
CELERY_TASK_ROUTES = ("common.jobs.route_by_job_kind",)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-time-limit
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-soft-time-limit
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=10 * 60)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-reject-on-worker-lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-prefetch-multiplier
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-retry-on-startup
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-timeout
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-transport-options
# An unacknowledged task is delivered again after the visibility timeout, so it must exceed the
# longest hard limit of any task (else a long import would run twice).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": max(
        [CELERY_TASK_TIME_LIMIT] + [job["time_limit"] for job in BACKGROUND_JOBS.values()]
    )
    + 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-publish-retry-policy
# A request must not hang when Redis is down: fail fast, keep the row pending, reconcile later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-max-memory-per-child
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1_500_000
)
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html
CELERY_BEAT_SCHEDULE = {
    "reconcile-recommendations": {
        "task": "recommender.tasks.recommendation_reconcile_task",
        "schedule": 60.0,
    },
    "reconcile-classification": {
        "task": "recommender.tasks.posts_classification_reconcile_task",
        "schedule": 300.0,
    },
    "reconcile-reclassification": {
        "task": "recommender.tasks.reclassification_reconcile_task",
        "schedule": 300.0,
    },
    "reconcile-summaries": {
        "task": "influencers.tasks.influencer_summaries_reconcile_task",
        "schedule": 300.0,
    },
    "reconcile-imports": {
        "task": "influencers.tasks.import_jobs_reconcile_task",
        "schedule": 300.0,
    },
}

# Style model: checkpoints live in media storage (ModelVersion); the worker caches them here.
MODEL_CACHE_DIR = Path(env.str("MODEL_CACHE_DIR", default=str(DATA_DIR / "models")))
TORCH_THREADS = env.int("TORCH_THREADS", default=2)
# A web process that classifies itself (in-process mode: no broker) loads the active style model as
# it starts (config/wsgi.py), so the first upload after a start does not wait ~10 s for it. With a
# broker the workers classify, and load it as they start (recommender.tasks).
STYLE_MODEL_PRELOAD = env.bool("STYLE_MODEL_PRELOAD", default=CELERY_TASK_ALWAYS_EAGER)
# Posts per classification task message (new images); the forward batch is per device, below.
CLASSIFY_BATCH_SIZE = env.int("CLASSIFY_BATCH_SIZE", default=32)
# Where this process runs the style model: cpu, cuda, or auto (cuda when torch sees one). A CPU
# process serves int8 when the model allows it; a cuda process (a GPU bulk worker) serves
# CLASSIFY_CUDA_PRECISION with a larger batch. docs/architecture.md shows a mixed deployment.
CLASSIFY_DEVICE = env.str("CLASSIFY_DEVICE", default="cpu")
CLASSIFY_CUDA_PRECISION = env.str("CLASSIFY_CUDA_PRECISION", default="fp32")
CLASSIFY_DEVICE_BATCH_SIZE = {
    "cpu": env.int("CLASSIFY_CPU_BATCH_SIZE", default=32),
    "cuda": env.int("CLASSIFY_CUDA_BATCH_SIZE", default=256),
}
# One re-classification task works this long, then queues its continuation: other bulk work (an
# import, word clouds) is never stuck behind a whole catalogue, and no task nears its time limit.
RECLASSIFY_SLICE_SECONDS = env.int("RECLASSIFY_SLICE_SECONDS", default=120)
LOW_CONFIDENCE_THRESHOLD = env.float("LOW_CONFIDENCE_THRESHOLD", default=0.4)
RECOMMENDATION_TOP_K = env.int("RECOMMENDATION_TOP_K", default=3)
# Fault injection for the reliability tests: seconds a recommendation task waits before working.
FAULT_INJECTION_PROCESS_DELAY = env.float("FAULT_INJECTION_PROCESS_DELAY", default=0)
# ... and seconds a re-classification run waits after each stored batch (a worker to kill mid-run).
FAULT_INJECTION_RECLASSIFY_BATCH_DELAY = env.float(
    "FAULT_INJECTION_RECLASSIFY_BATCH_DELAY", default=0
)
# Korean tokenizer for keywords: "mecab" (pip-installed, no Java) or a konlpy tagger ("okt").
KEYWORD_TAGGER = env.str("KEYWORD_TAGGER", default="mecab")
WORDCLOUD_DEBOUNCE_SECONDS = env.int("WORDCLOUD_DEBOUNCE_SECONDS", default=30)
# The catalogue's word counts (the background of every influencer's keywords) are summed once
# per this many seconds, not once per summary rebuild (0: every time).
KEYWORD_CATALOGUE_CACHE_SECONDS = env.int("KEYWORD_CATALOGUE_CACHE_SECONDS", default=600)

# Where the shared real data set lies for tests and benchmarks (never committed).
SHARED_DATA_DIR = Path(
    env.str("STYLEMATCH_SHARED_DATA", default=str(BASE_DIR.parent / "shared" / "data"))
)

# REST framework: deny by default.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous call a 401 (a client knows to
        # authenticate) instead of the 403 that session authentication alone would give.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    # A body nested too deep is a 400 with a stable code, never a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Rates of common/ratelimit.py, one per scope (counted in the shared cache, see CACHES).
    "DEFAULT_THROTTLE_RATES": {
        "uploads": env.str("UPLOAD_THROTTLE_RATE", default="30/hour"),
        # Uploads refused as invalid (400, nothing stored) count here instead.
        "refused_uploads": env.str("REFUSED_UPLOAD_THROTTLE_RATE", default="120/hour"),
        # Page, admin and token log-in share one count per client address.
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/minute"),
        "signup": env.str("SIGNUP_THROTTLE_RATE", default="10/hour"),
        "password_change": env.str("PASSWORD_CHANGE_THROTTLE_RATE", default="10/hour"),
        # Counted per client address and per e-mail address asked for.
        "password_reset": env.str("PASSWORD_RESET_THROTTLE_RATE", default="5/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "StyleMatch API",
    "DESCRIPTION": "Fashion-influencer recommendations by the style of a photo.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StyleEnum": "influencers.models.StyleChoices",
        "BodySizeEnum": "accounts.models.BodySize",
        "GenderEnum": "accounts.models.Gender",
        "StageEnum": "campaigns.models.Stage",
    },
}

# The cache holds rate-limit counters and debounce keys: with Redis configured it is shared by
# every web process and machine, so a limit is one limit however many workers serve it.
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "stylematch",
            # A slow or absent Redis must not hang a request (see common/ratelimit.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Addresses of reverse proxies in front of the app (nginx): behind them the client's address
# comes from X-Forwarded-For, as the proxy at this many hops wrote it (0: REMOTE_ADDR itself).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# E-mail (password reset): printed on the console unless an SMTP host is configured.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="StyleMatch <no-reply@localhost>")
# A reset link works for this many seconds (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The in-process default broker (memory://) has no host name; kombu warns about it on
        # every connection, which a newcomer's `make run` would print as if something were wrong.
        "kombu.connection": {"level": "WARNING" if REDIS_URL else "ERROR"},
    },
}
