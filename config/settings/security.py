"""Security: the Content-Security-Policy, password rules, rate limits and client addresses."""

from config.env import env
from config.settings.media_storage import media_origins

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

AUTH_PASSWORD_VALIDATORS = [
    # First: a megabyte "password" is refused before any other validator or hasher sees it.
    {"NAME": "accounts.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A reset link works for this many seconds (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
# Days the link mailed to the old address can undo an e-mail change (accounts/email_changes.py).
EMAIL_CHANGE_UNDO_DAYS = env.int("EMAIL_CHANGE_UNDO_DAYS", default=7)

# Rates of common/ratelimit.py (our own limiter, not DRF's throttles), one per scope, counted in
# the shared cache (CACHES in base.py).
RATE_LIMITS = {
    "uploads": env.str("UPLOAD_THROTTLE_RATE", default="30/hour"),
    # Uploads refused as invalid (400, nothing stored) count here instead.
    "refused_uploads": env.str("REFUSED_UPLOAD_THROTTLE_RATE", default="120/hour"),
    # Page, admin and token log-in share one count per client address.
    "login": env.str("LOGIN_THROTTLE_RATE", default="10/minute"),
    "signup": env.str("SIGNUP_THROTTLE_RATE", default="10/hour"),
    "password_change": env.str("PASSWORD_CHANGE_THROTTLE_RATE", default="10/hour"),
    # Counted per client address and per e-mail address asked for.
    "password_reset": env.str("PASSWORD_RESET_THROTTLE_RATE", default="5/hour"),
    # Reset mails actually sent, per requesting address and e-mail pair (counted by the mail
    # task; past it the request still "succeeds" silently): a stranger cannot spend the owner's.
    "password_reset_mail": env.str("PASSWORD_RESET_MAIL_THROTTLE_RATE", default="3/hour"),
    # The public influencer removal request form, per client address.
    "removal_request": env.str("REMOVAL_REQUEST_THROTTLE_RATE", default="5/hour"),
}

# Addresses of reverse proxies in front of the app (nginx): behind them the client's address
# comes from X-Forwarded-For, as the proxy at this many hops wrote it (0: REMOTE_ADDR itself).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
