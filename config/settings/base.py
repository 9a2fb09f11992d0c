"""Settings shared by every environment; everything that differs comes from the environment.

Each concern has its own module, imported here: celery.py (broker, queues, background jobs),
ml.py (style model, classification, ranking), files_and_storages.py (static, media, uploads),
security.py (CSP, passwords, rate limits, proxies), email_sending.py, instagram.py (Graph API
live refresh, encrypted secrets).

Embedded defaults need no service: SQLite, media on the local disk under data/, and Celery tasks
run in-process when no broker is configured. DATABASE_URL, REDIS_URL and the S3 variables switch
to the production components.
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, DATA_DIR, env
from config.settings.celery import *  # noqa: F403
from config.settings.celery import REDIS_URL
from config.settings.email_sending import *  # noqa: F403
from config.settings.files_and_storages import *  # noqa: F403
from config.settings.instagram import *  # noqa: F403
from config.settings.ml import *  # noqa: F403
from config.settings.security import *  # noqa: F403

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
    # DRF's tokens no longer authenticate (accounts.tokens does); the app stays installed so that
    # accounts' migration 0004 can carry its tokens over (its table can go in a later release).
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
    # A signed-in user who has not agreed to the current privacy policy is asked to first.
    "accounts.privacy.middleware.PolicyConsentMiddleware",
    # After authentication (it reads request.user); `no-store` on private answers.
    "common.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "common.middleware.ApplicationErrorMiddleware",
]

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

# Data rights: uploaded query photos are deleted this many days after upload (the request and its
# results stay, the photo shows as deleted); the privacy policy states it.
QUERY_PHOTO_RETENTION_DAYS = env.int("QUERY_PHOTO_RETENTION_DAYS", default=30)
# The privacy policy and terms version users agree to (templates/accounts/privacy/); a new value
# asks every user to agree again before their next page or API call.
PRIVACY_POLICY_VERSION = env.str("PRIVACY_POLICY_VERSION", default="2026-12-01")
# Where people write about their data (the privacy policy and terms show it); set it in production.
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="privacy@stylematch.example")
PRIVACY_OFFICER_NAME = env.str("PRIVACY_OFFICER_NAME", default="StyleMatch privacy officer")

# Teams (docs/teams.md): a team's activity list keeps this many days; an invitation link works
# this many seconds.
TEAM_ACTIVITY_RETENTION_DAYS = env.int("TEAM_ACTIVITY_RETENTION_DAYS", default=90)
TEAM_INVITATION_MAX_AGE = env.int("TEAM_INVITATION_MAX_AGE", default=7 * 24 * 3600)

# Korean first; English available through the language switcher.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Seoul"
USE_TZ = True

# Where the shared real data set lies for tests and benchmarks (never committed).
SHARED_DATA_DIR = Path(
    env.str("STYLEMATCH_SHARED_DATA", default=str(BASE_DIR.parent / "shared" / "data"))
)

# REST framework: deny by default.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous call a 401 (a client knows to
        # authenticate) instead of the 403 that session authentication alone would give.
        # Both answer 403 with the code policy_consent_required while the user has not agreed to
        # the current privacy policy (accounts/privacy/authentication.py).
        "accounts.privacy.authentication.PolicyCheckedTokenAuthentication",
        "accounts.privacy.authentication.PolicyCheckedSessionAuthentication",
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
