"""gunicorn in production: `gunicorn -c config/gunicorn.py config.wsgi` (behind nginx, see README).

gevent workers, not the default sync ones: a sync worker reads one request at a time, so two
clients sending a body one byte every two seconds freeze a two-worker site (/healthz included).
With gevent each connection is a greenlet; a trickling client holds a few kilobytes and the worker
keeps serving everyone else (tests/reliability/test_slow_clients.py). nginx in front still matters:
it buffers whole requests before they reach gunicorn and drops clients that stall
(client_body_timeout), which no worker class can do for connections it has already accepted.
Settings: https://docs.gunicorn.org/en/stable/settings.html
"""

import os

# Loopback by default: the buffering proxy in front is what listens on the network.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One process per core is enough for gevent; WEB_CONCURRENCY is the usual override.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gevent"
# Connections one worker holds at once, slow ones included.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", 1000))
# A worker whose event loop is blocked this long (CPU-bound code that never yields) is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Headers bounded (gunicorn's defaults, stated so they stay).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# X-Forwarded-* are believed only from the proxy on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'

# Every request runs in a new greenlet, and Django keeps database connections per greenlet: a
# persistent connection would never be reused, only left open. Close each at the request's end.
os.environ.setdefault("DB_CONN_MAX_AGE", "0")
