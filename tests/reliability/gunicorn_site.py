"""The site as production serves it: gunicorn with config/gunicorn.py and the production settings."""

import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT, database_url_for_worker, free_port


class GunicornSite:
    def __init__(self, *, redis_url: str, media_root: str, log_path: Path, workers: int, env=None):
        self.port = free_port()
        self.log_path = log_path
        # Its own HOME: gunicorn puts its control socket there, one per instance.
        home = log_path.parent / f"home-{self.port}"
        home.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url_for_worker(),
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": media_root,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            **(env or {}),
        }
        self.process = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start:\n" + self.log_path.read_text()[-3000:])

    def pids_that_served(self, path: str) -> set[str]:
        """Worker pids from the access log lines of requests to `path`."""
        pattern = re.compile(rf'"[A-Z]+ {re.escape(path)}[ ?].*pid=<(\d+)>')
        return {m.group(1) for m in pattern.finditer(self.log_path.read_text())}

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()
