"""The Celery application; every setting lives in Django settings under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("stylematch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping", ignore_result=False)
def ping(value: str) -> str:
    """Echo a value back: a broker-to-worker round trip for tests and operators (`celery call`).

    /healthz does not send it (a Redis PING checks the broker without waiting on a worker).
    """
    return f"pong:{value}"
