"""Costly uploads against the production serving config: does /healthz keep answering?

usage: DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/decode_under_load.py
           [--uploads 8] [--width 7296 --height 5472] [--workers 2] [--root DIR] [--json OUT]

Starts gunicorn with config/gunicorn.py (gevent workers) and the production settings on the given
PostgreSQL and Redis (migrating the database first), logs one throw-away account in, makes
`--uploads` distinct 40-megapixel progressive JPEGs from the CC0 product photos of the shared data
(or a synthetic photo without them), posts them all at once to the upload API and meanwhile asks
/healthz every 100 ms on fresh connections. Prints the /healthz latencies seen while the uploads
ran and each upload's status and time.

--root runs another checkout of the project (e.g. `git archive <commit> | tar -x -C /tmp/before`)
with this script, so a change can be measured before and after on the same machine. Uploads are
queued on Redis for a worker that is not started: only the web process is measured.
"""

import argparse
import io
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STYLEMATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))

SESSION_CODE = """
import django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import Role, User
from accounts.privacy.consents import consents_record

user = User.objects.create_user(username="decode_" + RUN, role=Role.CONSUMER, gender="F",
                                body_size="M")
consents_record(user=user, marketing=False)  # as sign-up records it (else the API answers 403)
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(settings.SESSION_COOKIE_NAME + "=" + session.session_key)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def photos(count: int, size: tuple[int, int]) -> list[bytes]:
    """Distinct progressive JPEGs of `size` (quality 90), from real photos when there are some."""
    import numpy as np
    from PIL import Image

    sources = sorted((SHARED / "clothing-cc0").rglob("*.jpg"))[:count]
    out = []
    for n in range(count):
        if sources:
            image = Image.open(sources[n % len(sources)]).convert("RGB").resize(size)
        else:
            rng = np.random.default_rng(n)
            small = (rng.random((size[1] // 64, size[0] // 64, 3)) * 255).astype("uint8")
            image = Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90, progressive=True)
        out.append(buffer.getvalue())
    return out


def upload(port: int, cookie: str, image: bytes, results: list) -> None:
    boundary, csrf = uuid.uuid4().hex, secrets.token_hex(16)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="look.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + image
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/recommendations/",
        data=body,
        method="POST",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": f"{cookie}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        status = repr(exc)
    results.append((status, time.perf_counter() - started))


def health_poll(port: int, stop: threading.Event, seen: list) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=120) as r:
                status = r.status
        except OSError as exc:
            status = repr(exc)
        seen.append((status, time.perf_counter() - started))
        stop.wait(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--width", type=int, default=7296)
    parser.add_argument("--height", type=int, default=5472)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "REDIS_URL"
    ):
        sys.exit("DATABASE_URL (PostgreSQL) and REDIS_URL must be set, as in production")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "UPLOAD_THROTTLE_RATE": "10000/hour",
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", f"/tmp/decode-bench-media-{port}"),
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=args.root, env=env, check=True)
    code = SESSION_CODE.replace("RUN", repr(uuid.uuid4().hex[:8]))
    made = subprocess.run(
        [python, "-c", code], cwd=args.root, env=env, capture_output=True, text=True, check=True
    )
    cookie = made.stdout.strip().splitlines()[-1]
    images = photos(args.uploads, (args.width, args.height))
    print(f"{len(images)} images of {args.width}x{args.height}, "
          f"{statistics.mean(map(len, images)) / 1e6:.1f} MB on average")  # fmt: skip
    web = subprocess.Popen(
        [python, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=args.root,
        env=env,
        stdout=open(f"/tmp/decode-bench-gunicorn-{port}.log", "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 240
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except OSError:
                if time.time() > deadline:
                    sys.exit("gunicorn did not start")
                time.sleep(0.3)
        stop, seen, results = threading.Event(), [], []
        poller = threading.Thread(target=health_poll, args=(port, stop, seen))
        poller.start()
        time.sleep(1)
        baseline = len(seen)
        threads = [
            threading.Thread(target=upload, args=(port, cookie, image, results)) for image in images
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        stop.set()
        poller.join()
    finally:
        os.killpg(web.pid, 15)
        web.wait(30)
    during = [seconds for _, seconds in seen[baseline:]]
    figures = {
        "uploads": len(images),
        "size": f"{args.width}x{args.height}",
        "workers": args.workers,
        "uploads_wall_s": round(wall, 2),
        "upload_statuses": sorted(str(status) for status, _ in results),
        "upload_s_max": round(max(seconds for _, seconds in results), 2),
        "healthz_checks_during": len(during),
        "healthz_s_p50": round(statistics.median(during), 3),
        "healthz_s_max": round(max(during), 3),
        "healthz_failures": [status for status, _ in seen[baseline:] if status != 200],
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
