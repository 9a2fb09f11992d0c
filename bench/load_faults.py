"""Load with a fault: browsing and uploading users on loopback while the Celery worker restarts.

usage: DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/load_faults.py
           [--browsers 50] [--uploaders 5] [--seconds 180] [--restart-at 60] [--json OUT]
           [--skip-setup]

Starts the site as production runs it (gunicorn with the production settings, one separate Celery
worker on Redis), prepares the database unless --skip-setup (migrate, demo model, demo catalogue),
creates throw-away accounts, then runs `browsers` users reading pages and API endpoints with think
time and `uploaders` users uploading real photos (the CC0 product photos of the shared data set when
present) and following each request to its end. At --restart-at seconds the worker is stopped and
a new one started, as a deploy does. Afterwards every accepted upload is followed until it ends.

Prints latency percentiles per kind of request and exits 1 when a read got a 5xx or no answer, or
an accepted upload did not reach done. tests/reliability/test_load_with_faults.py runs a short
version of this in CI; docs/benchmarks.md records the full run.
"""

import argparse
import http.client
import io
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STYLEMATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
TERMINAL = {"done", "failed"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_env() -> dict:
    if not os.environ.get("REDIS_URL"):
        sys.exit("REDIS_URL must point at Redis: the worker is a separate process")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (SQLite serialises concurrent writers)")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def django_run(env: dict, code: str) -> str:
    script = "import django\ndjango.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    return result.stdout


ACCOUNTS_CODE = """
import json, sys
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.tokens import api_token_create
from accounts.models import Role, User
from accounts.privacy.consents import consents_record

run, count = sys.argv[1], int(sys.argv[2])
store = import_module(settings.SESSION_ENGINE).SessionStore
out = []
for n in range(count):
    role = Role.BRAND if n % 5 == 4 else Role.CONSUMER
    user = User.objects.create_user(
        username=f"load_{run}_{n}", role=role,
        gender="F" if role == Role.CONSUMER else "", body_size="M" if role == Role.CONSUMER else "",
        brand_name="Load test" if role == Role.BRAND else "",
    )
    consents_record(user=user, marketing=False)  # as sign-up records it
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    out.append({"token": api_token_create(user=user)[1],
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"})
print(json.dumps(out))
"""


def accounts_create(env: dict, count: int) -> list[dict]:
    """Throw-away accounts with an API token and a logged-in session each (no log-in throttle)."""
    run = uuid.uuid4().hex[:8]
    code = ACCOUNTS_CODE.replace("sys.argv[1], int(sys.argv[2])", f"{run!r}, {count}")
    return json.loads(django_run(env, code).strip().splitlines()[-1])


class Site:
    """gunicorn and one Celery worker, started and stopped like production processes."""

    def __init__(self, env: dict, log_dir: Path, web_workers: int):
        self.env, self.log_dir, self.web_workers = env, log_dir, web_workers
        self.port = free_port()
        self.web = self.worker = None
        self.worker_starts = 0

    def start(self):
        self.web = self._spawn(
            "gunicorn.log",
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(self.web_workers)]
            + ["--bind", f"127.0.0.1:{self.port}", "--timeout", "60"],
        )
        self.worker_start()
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _ = request("127.0.0.1", self.port, "GET", "/healthz", {})
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("the site did not answer /healthz: see " + str(self.log_dir))

    def worker_start(self):
        self.worker_starts += 1
        log = f"worker-{self.worker_starts}.log"
        self.worker = self._spawn(
            log,
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1"]
            + ["--queues=interactive,bulk", "--loglevel=info", "--without-gossip"]
            + ["--without-mingle"],
        )
        deadline = time.time() + 60
        while time.time() < deadline and b"ready." not in (self.log_dir / log).read_bytes():
            if self.worker.poll() is not None:
                raise RuntimeError("the worker exited: see " + str(self.log_dir / log))
            time.sleep(0.2)

    def worker_restart(self) -> float:
        """Warm shutdown (the running task finishes; queued ones stay in Redis), then a new one."""
        started = time.perf_counter()
        os.killpg(self.worker.pid, signal.SIGTERM)
        self.worker.wait(120)
        self.worker_start()
        return time.perf_counter() - started

    def stop(self):
        for process in (self.web, self.worker):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)

    def _spawn(self, log_name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.log_dir / log_name, "ab")
        return subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def request(host, port, method, path, headers, body=None, connection=None):
    own = connection is None
    connection = connection or http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.statuses = defaultdict(lambda: defaultdict(int))

    def add(self, kind: str, status, seconds: float):
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1

    def summary(self) -> dict:
        out = {}
        for kind, values in sorted(self.latencies.items()):
            ordered = sorted(values)
            out[kind] = {
                "requests": len(ordered),
                "p50_ms": round(statistics.median(ordered) * 1000, 1),
                "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
                "max_ms": round(ordered[-1] * 1000, 1),
                "statuses": {str(k): v for k, v in sorted(self.statuses[kind].items(), key=str)},
            }
        return out


class Client:
    """One simulated user: its own keep-alive connection, token and session cookie."""

    def __init__(self, port: int, account: dict, recorder: Recorder):
        self.port, self.account, self.recorder = port, account, recorder
        self.connection = None

    def call(self, kind, method, path, *, page=False, body=None, content_type=None):
        headers = (
            {"Cookie": self.account["cookie"]}
            if page
            else {"Authorization": f"Token {self.account['token']}"}
        )
        if content_type:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            status, data = request(None, None, method, path, headers, body, self.connection)
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = None
            status, data = f"error: {type(error).__name__}", b""
        self.recorder.add(kind, status, time.perf_counter() - started)
        return status, data


STYLES = ["romantic", "street", "modern", "feminine", "resort", "classic"]


def browse_step(rng: random.Random, handles: list[str]) -> tuple[str, str, bool]:
    """(kind, path, is a page) of a browsing user's next request, weighted like real use."""
    handle, style = rng.choice(handles), rng.choice(STYLES)
    choices = [
        (3, "page home", "/", True),
        (3, "page influencer", f"/influencers/{handle}/", True),
        (1, "page history", "/history/", True),
        (2, "api influencer list", f"/api/v1/influencers/?style={style}", False),
        (1, "api influencer list", f"/api/v1/influencers/?page={rng.randint(1, 2)}", False),
        (3, "api influencer detail", f"/api/v1/influencers/{handle}/", False),
        (1, "api history", "/api/v1/recommendations/", False),
    ]  # fmt: skip
    _, kind, path, page = rng.choices(choices, [c[0] for c in choices])[0]
    return kind, path, page


def browse(client: Client, stop_at: float, handles: list[str], rng: random.Random):
    while time.perf_counter() < stop_at:
        kind, path, page = browse_step(rng, handles)
        client.call(kind, "GET", path, page=page)
        time.sleep(rng.uniform(0.5, 2.0))  # a person reading the page


def multipart(image: bytes, fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="look.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + image
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload_loop(client, stop_at, images, rng, accepted: list, lock: threading.Lock):
    while time.perf_counter() < stop_at:
        # The influencers wanted: a brand always says; a consumer's profile gives the default.
        filters = {"gender": rng.choice("FM"), "size": rng.choice("SML")}
        body, content_type = multipart(rng.choice(images), filters)
        status, data = client.call(
            "api upload", "POST", "/api/v1/recommendations/", body=body, content_type=content_type
        )
        if status == 202:
            pk = json.loads(data)["id"]
            with lock:
                accepted.append((client, pk))
            follow = time.perf_counter() + 120
            while time.perf_counter() < min(follow, stop_at):
                status, data = client.call(
                    "api result poll", "GET", f"/api/v1/recommendations/{pk}/"
                )
                if status == 200 and json.loads(data)["status"] in TERMINAL:
                    client.call("page result", "GET", f"/recommendations/{pk}/", page=True)
                    break
                time.sleep(1.0)
        time.sleep(rng.uniform(5, 10))  # looking at the results before the next photo


def photos(count: int = 40) -> list[bytes]:
    folder = SHARED / "clothing-cc0"
    every = sorted(folder.rglob("*.jpg"))
    files = every[:: max(1, len(every) // count)]
    if files:
        return [f.read_bytes() for f in files[:count]]
    from PIL import Image  # no shared data here: generated photos of the same size

    out = []
    for n in range(count):
        buffer = io.BytesIO()
        Image.new("RGB", (800, 1000), (n * 6 % 255, 90, 160)).save(buffer, "JPEG", quality=90)
        out.append(buffer.getvalue())
    return out


def uploads_settle(accepted, deadline_s: float) -> dict:
    """Follow every accepted upload until it ends (or the deadline passes)."""
    pending = dict((pk, client) for client, pk in accepted)
    ended: dict[int, dict] = {}
    deadline = time.time() + deadline_s
    while pending and time.time() < deadline:
        for pk, client in list(pending.items()):
            status, data = client.call("api result poll", "GET", f"/api/v1/recommendations/{pk}/")
            if status == 200 and json.loads(data)["status"] in TERMINAL:
                ended[pk] = json.loads(data)
                del pending[pk]
        time.sleep(1.0)
    return {"ended": ended, "unfinished": sorted(pending)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--browsers", type=int, default=50)
    parser.add_argument("--uploaders", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--restart-at", type=float, default=60)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--settle-seconds", type=float, default=300)
    parser.add_argument("--skip-setup", action="store_true", help="use the database as it is")
    parser.add_argument("--log-dir", type=Path, default=Path("/tmp/stylematch-load"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    env = site_env()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    if not args.skip_setup:
        setup_env = {**env, "CELERY_TASK_ALWAYS_EAGER": "true"}  # classify the demo inline
        for command in (
            ("migrate", "--noinput"),
            ("setup_demo_model",),
            ("load_demo", "--if-empty"),
        ):
            manage(setup_env, *command)
    accounts = accounts_create(env, args.browsers + args.uploaders)
    site = Site(env, args.log_dir, args.web_workers).start()
    recorder = Recorder()
    try:
        probe = Client(site.port, accounts[0], Recorder())
        _, data = probe.call("setup", "GET", "/api/v1/influencers/")
        handles = [row["handle"] for row in json.loads(data)["results"]]
        if not handles:
            sys.exit("no influencers in the catalogue: run without --skip-setup")
        images = photos()
        accepted, lock = [], threading.Lock()
        started = time.perf_counter()
        stop_at = started + args.seconds
        threads = [
            threading.Thread(
                target=browse,
                args=(Client(site.port, a, recorder), stop_at, handles, random.Random(n)),
            )
            for n, a in enumerate(accounts[: args.browsers])
        ] + [
            threading.Thread(
                target=upload_loop,
                args=(Client(site.port, a, recorder), stop_at, images, random.Random(n), accepted, lock),
            )
            for n, a in enumerate(accounts[args.browsers :])
        ]  # fmt: skip
        for thread in threads:
            thread.start()
            time.sleep(0.05)  # users arrive over a few seconds, not in one instant
        time.sleep(max(0.0, started + args.restart_at - time.perf_counter()))
        restart_seconds = site.worker_restart()
        print(f"worker restarted at {args.restart_at:.0f} s ({restart_seconds:.1f} s)", flush=True)
        for thread in threads:
            thread.join()
        settled = uploads_settle(accepted, args.settle_seconds)
    finally:
        site.stop()

    reads = {k: v for k, v in recorder.summary().items() if k != "api upload"}
    bad_reads = {
        kind: {s: n for s, n in row["statuses"].items() if not s.isdigit() or s.startswith("5")}
        for kind, row in reads.items()
    }
    bad_reads = {k: v for k, v in bad_reads.items() if v}
    ended = settled["ended"].values()
    server_seconds = sorted(
        _seconds_between(r["created_at"], r["finished_at"]) for r in ended if r["finished_at"]
    )
    report = {
        "browsers": args.browsers,
        "uploaders": args.uploaders,
        "seconds": args.seconds,
        "worker_restarts": site.worker_starts - 1,
        "worker_restart_seconds": round(restart_seconds, 1),
        "requests": recorder.summary(),
        "bad_reads": bad_reads,
        "uploads_accepted": len(accepted),
        "uploads_done": sum(1 for r in ended if r["status"] == "done"),
        "uploads_failed": {r["id"]: r["failure_reason"] for r in ended if r["status"] == "failed"},
        "uploads_unfinished": settled["unfinished"],
        "upload_to_done_p50_s": round(statistics.median(server_seconds), 2) if server_seconds else None,
        "upload_to_done_p95_s": (
            round(server_seconds[int(0.95 * (len(server_seconds) - 1))], 2) if server_seconds else None
        ),
    }  # fmt: skip
    for kind, row in report["requests"].items():
        print(
            f"{kind:22s} {row['requests']:6d} requests  p50 {row['p50_ms']:7.1f} ms  "
            f"p95 {row['p95_ms']:7.1f} ms  max {row['max_ms']:7.1f} ms  {row['statuses']}"
        )
    print(
        f"uploads: {report['uploads_accepted']} accepted, {report['uploads_done']} done, "
        f"failed {report['uploads_failed']}, unfinished {report['uploads_unfinished']}; "
        f"upload to done p50 {report['upload_to_done_p50_s']} s, "
        f"p95 {report['upload_to_done_p95_s']} s; reads with 5xx or no answer: {bad_reads or 0}"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    ok = not bad_reads and report["uploads_done"] == report["uploads_accepted"]
    return 0 if ok else 1


def _seconds_between(start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


if __name__ == "__main__":
    sys.exit(main())
