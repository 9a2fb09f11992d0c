"""How long a process takes to start: `manage.py check`, and a gunicorn web process until it
answers /healthz (issue 22). Each figure is the median of --runs fresh processes; `check` is
also given in CPU seconds, which a busy machine moves far less than the wall clock.

    .venv/bin/python bench/startup.py --runs 5

gunicorn runs config/gunicorn.py with one gevent worker on a free port, the local settings on a
throw-away SQLite database (migrated first, not timed) and STYLE_MODEL_PRELOAD off: a web process
beside a broker, which never classifies itself.
"""

import argparse
import os
import resource
import signal
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


def check_seconds(env: dict) -> tuple[float, float]:
    """Wall-clock seconds, and the CPU seconds (user + system) the process used: on a shared
    machine the wall clock mostly measures the other processes, the CPU time does not."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "check"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
        start_new_session=True,  # the arbiter and its workers, stopped together below
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
        os.killpg(proc.pid, signal.SIGKILL)  # a worker still importing would outlast a TERM
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
    walls, cpus = [w for w, _ in checks], [c for _, c in checks]
    print(f"manage.py check: median {statistics.median(walls):.2f} s  runs {_fmt(walls)}")
    print(f"manage.py check CPU: median {statistics.median(cpus):.2f} s  runs {_fmt(cpus)}")
    print(
        f"gunicorn until /healthz answers: median {statistics.median(starts):.2f} s  runs {_fmt(starts)}"
    )


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
