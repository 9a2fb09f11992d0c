"""Static files, media storage (local disk or S3-compatible: media_storage.py) and upload limits."""

from pathlib import Path

from config.env import BASE_DIR, DATA_DIR, env
from config.settings.media_storage import media_storage

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
# Scans (SOS markers) a JPEG may hold: each is a pass over the whole image. Baseline writes 1,
# libjpeg's progressive script 10; thousands are an attack (common/uploads.py, issue 21).
UPLOAD_JPEG_MAX_SCANS = env.int("UPLOAD_JPEG_MAX_SCANS", default=32)
# Uploads decode in decode processes, UPLOAD_DECODE_PROCESSES per web or worker process, started
# at first use (common/decode_pool.py), so no step of a decode runs on a gevent event loop. A
# decode running past UPLOAD_DECODE_TIMEOUT seconds is refused (`decode_too_slow`) and its process
# killed and replaced; an upload no process took up within UPLOAD_DECODE_QUEUE_TIMEOUT (all busy)
# is refused as `decode_busy`; a process that dies mid-decode gives `decode_failed`.
# UPLOAD_DECODE_PROCESSES=0 decodes on UPLOAD_DECODE_THREADS native threads inside the process
# instead (where processes cannot be started; the steps that hold the GIL then stall the loop).
UPLOAD_DECODE_PROCESSES = env.int("UPLOAD_DECODE_PROCESSES", default=2)
UPLOAD_DECODE_TIMEOUT = env.float("UPLOAD_DECODE_TIMEOUT", default=30.0)
UPLOAD_DECODE_QUEUE_TIMEOUT = env.float("UPLOAD_DECODE_QUEUE_TIMEOUT", default=60.0)
UPLOAD_DECODE_THREADS = env.int("UPLOAD_DECODE_THREADS", default=2)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Links an export or an API gives us (common/safe_fetch.py): only these hosts, only public
# addresses, bounded in size and time. Instagram's and Facebook's CDNs by default.
SAFE_FETCH_ALLOWED_HOSTS = env.list(
    "SAFE_FETCH_ALLOWED_HOSTS", default=["*.cdninstagram.com", "*.fbcdn.net"]
)
SAFE_FETCH_MAX_BYTES = env.int("SAFE_FETCH_MAX_BYTES", default=UPLOAD_MAX_BYTES)
SAFE_FETCH_TIMEOUT_S = env.float("SAFE_FETCH_TIMEOUT_S", default=20.0)
SAFE_FETCH_MAX_REDIRECTS = env.int("SAFE_FETCH_MAX_REDIRECTS", default=3)
SAFE_FETCH_RETRIES = env.int("SAFE_FETCH_RETRIES", default=2)
SAFE_FETCH_BACKOFF_S = env.float("SAFE_FETCH_BACKOFF_S", default=1.0)
# Never in production: only a test serving a fake CDN on 127.0.0.1 turns this on.
SAFE_FETCH_ALLOW_LOOPBACK = False
