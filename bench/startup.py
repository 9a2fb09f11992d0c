"""How long a process takes to start: `manage.py check`, and a gunicorn web process until it
answers /healthz (issue 22). Each figure is the median of --runs fresh processes.

    .venv/bin/python bench/startup.py --runs 5

gunicorn runs config/gunicorn.py with one gevent worker on a free port, the local settings on a
throw-away SQLite database (migrated first, not timed) and STYLE_MODEL_PRELOAD off: a web process
beside a broker, which never classifies itself.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _env(data_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        STYLEMATCH_DATA_DIR=data_dir,
        STYLE_MODEL_PRELOAD="false",
        DJANGO_DEBUG="false",
    )
    return env


def check_seconds(env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "check"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_seconds(env: dict, timeout: float = 120) -> float:
    port = _free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    url = f"http://127.0.0.1:{port}/healthz"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < timeout:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    response.read()
                return time.perf_counter() - started
            except urllib.error.HTTPError:  # 503 is an answer too: the process is up
                return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stylematch-startup-") as data_dir:
        env = _env(data_dir)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        checks = [check_seconds(env) for _ in range(args.runs)]
        starts = [gunicorn_seconds(env) for _ in range(args.runs)]
    print(f"manage.py check: median {statistics.median(checks):.2f} s  runs {_fmt(checks)}")
    print(
        f"gunicorn until /healthz answers: median {statistics.median(starts):.2f} s  runs {_fmt(starts)}"
    )


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
