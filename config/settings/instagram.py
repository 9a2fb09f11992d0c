"""The Instagram Graph API live refresh (influencers/graph/, docs/graph_refresh.md) and the key
secrets such as its token are kept encrypted with (common/secrets.py)."""

from config.env import env

# Instagram Graph API (influencers/graph/, docs/graph_refresh.md): tracked influencers refresh
# themselves through business discovery, read with the business account's token.
INSTAGRAM_GRAPH_API_URL = env.str(
    "INSTAGRAM_GRAPH_API_URL", default="https://graph.facebook.com/v24.0"
).rstrip("/")
INSTAGRAM_BUSINESS_ACCOUNT_ID = env.str("INSTAGRAM_BUSINESS_ACCOUNT_ID", default="")
# A token given in the environment; one saved in admin takes precedence.
INSTAGRAM_GRAPH_TOKEN = env.str("INSTAGRAM_GRAPH_TOKEN", default="")
# Key of the secrets kept at rest (common/secrets.py); production requires it.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
# Outside production a key derived from SECRET_KEY stands in when it is unset.
FIELD_ENCRYPTION_KEY_REQUIRED = False
GRAPH_CONNECT_TIMEOUT = env.float("GRAPH_CONNECT_TIMEOUT", default=5.0)
GRAPH_READ_TIMEOUT = env.float("GRAPH_READ_TIMEOUT", default=30.0)
# How old a tracked influencer's numbers may be before beat queues its refresh.
GRAPH_REFRESH_INTERVAL_HOURS = env.int("GRAPH_REFRESH_INTERVAL_HOURS", default=24)
# Influencers one scheduled run takes, stalest first.
GRAPH_REFRESH_BATCH = env.int("GRAPH_REFRESH_BATCH", default=500)
# Media pages (GRAPH_MEDIA_PAGE_SIZE each) read per account when no stored post is met first.
GRAPH_REFRESH_MAX_PAGES = env.int("GRAPH_REFRESH_MAX_PAGES", default=4)
GRAPH_MEDIA_PAGE_SIZE = env.int("GRAPH_MEDIA_PAGE_SIZE", default=25)
# Usage (the highest percentage of X-App-Usage / X-Business-Use-Case-Usage) above which calls are
# spaced out, up to GRAPH_SLOW_DELAY_SECONDS apart near the stop; at GRAPH_USAGE_STOP_PERCENT no
# call is made until the window has passed (the header's estimate, else GRAPH_RATE_LIMIT_WAIT_SECONDS).
GRAPH_USAGE_SLOW_PERCENT = env.float("GRAPH_USAGE_SLOW_PERCENT", default=75.0)
GRAPH_USAGE_STOP_PERCENT = env.float("GRAPH_USAGE_STOP_PERCENT", default=100.0)
GRAPH_SLOW_DELAY_SECONDS = env.float("GRAPH_SLOW_DELAY_SECONDS", default=30.0)
GRAPH_RATE_LIMIT_WAIT_SECONDS = env.int("GRAPH_RATE_LIMIT_WAIT_SECONDS", default=3600)
# Server errors (5xx) and time-outs: this many attempts per call, waiting backoff * 2**n between.
GRAPH_RETRY_ATTEMPTS = env.int("GRAPH_RETRY_ATTEMPTS", default=3)
GRAPH_RETRY_BACKOFF_SECONDS = env.float("GRAPH_RETRY_BACKOFF_SECONDS", default=2.0)
# A refresh task works this long, then hands its run on to a fresh task (other bulk work interleaves).
GRAPH_REFRESH_SLICE_SECONDS = env.int("GRAPH_REFRESH_SLICE_SECONDS", default=600)
# Admin warns this many days before the token expires.
GRAPH_TOKEN_WARN_DAYS = env.int("GRAPH_TOKEN_WARN_DAYS", default=7)
