"""Recommendation latency while the catalogue is re-classified, with one interactive and one bulk
Celery worker on real Redis and PostgreSQL, and the reconcilers called during the run.

usage: DATABASE_URL=postgres://... REDIS_URL=redis://.../N python bench/reclassification_latency.py
           [--posts 3000] [--every 2] [--bulk-nice 10]

The catalogue is bench/reclassification.py's (real K-Fashion sample photos, a full-size int8
model). Both workers load the model first; then a run opens (as activation does) and, until it
ends, a recommendation is submitted every `--every` seconds through the service the page and API
call; its time is from submission to the stored result. `--bulk-nice` starts the bulk worker at a
lower CPU priority, as docs/architecture.md recommends when both share a machine.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _django import bench_database
from reclassification import catalogue_build, full_size_checkpoint

ROOT = Path(__file__).resolve().parent.parent


def worker_start(env: dict, queue: str, log_dir: Path, nice: int, threads: int):
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--queues={queue}"]
    command += [f"--hostname={queue}@%h", "--concurrency=1", "--loglevel=info"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    if nice:
        command = ["nice", "-n", str(nice), *command]
    log = log_dir / f"{queue}.log"
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "TORCH_THREADS": str(threads)},
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
    )
    return process, log


def wait_until(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--bulk-nice", type=int, default=10)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    ):
        raise SystemExit("set REDIS_URL and a PostgreSQL DATABASE_URL: the workers are processes")
    with bench_database():
        import redis
        from django.conf import settings
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.db import connection

        from accounts.models import User
        from recommender.models import ModelVersion, RecommendationRequest
        from recommender.services.classification import posts_classification_reconcile
        from recommender.services.reclassification import (
            reclassification_reconcile,
            reclassification_start,
        )
        from recommender.services.registry import model_version_activate, model_version_register
        from recommender.services.requests import recommendation_create

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
        settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-media-")
        names = catalogue_build(args.posts)
        version = model_version_register(checkpoint_path=full_size_checkpoint(), name="bench")
        model_version_activate(model_version_id=version.pk, reclassify=False)
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}",
            "MEDIA_ROOT": settings.MEDIA_ROOT,
            "MODEL_CACHE_DIR": tempfile.mkdtemp(prefix="bench-models-"),
        }
        log_dir = Path(tempfile.mkdtemp(prefix="bench-logs-"))
        workers = [
            worker_start(env, "interactive", log_dir, nice=0, threads=1),
            worker_start(env, "bulk", log_dir, nice=args.bulk_nice, threads=2),
        ]
        photo = (Path(settings.MEDIA_ROOT) / names[0]).read_bytes()
        try:
            for _, log in workers:
                if not wait_until(lambda log=log: b"loaded in" in log.read_bytes(), 300):
                    raise SystemExit(f"worker did not load the model:\n{log.read_text()[-2000:]}")
            run = reclassification_start(model_version_id=version.pk)
            latencies, reconciled, submitted = [], [], 0
            started = time.time()
            next_reconcile = started + 10
            while True:
                run.refresh_from_db()
                if not run.is_open:
                    break
                user = User.objects.create(
                    username=f"bench{submitted}", role="consumer", gender="F", body_size="M"
                )
                submitted += 1
                sent = time.time()
                request = recommendation_create(
                    user=user, image=SimpleUploadedFile("q.jpg", photo, "image/jpeg")
                )
                finished = wait_until(
                    lambda pk=request.pk: RecommendationRequest.objects.get(pk=pk).is_finished,
                    120,
                    0.05,
                )
                latencies.append(time.time() - sent if finished else float("inf"))
                if time.time() >= next_reconcile:
                    reconciled.append(
                        (posts_classification_reconcile(), reclassification_reconcile())
                    )
                    next_reconcile += 10
                time.sleep(max(0.0, args.every - (time.time() - sent)))
            seconds = time.time() - started
            statuses = sorted(set(RecommendationRequest.objects.values_list("status", flat=True)))
        finally:
            for process, _ in workers:
                process.terminate()
                process.wait(30)
        run.refresh_from_db()
        assert ModelVersion.objects.get(pk=version.pk).is_active
    latencies.sort()
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"re-classification of {run.done} posts: {seconds:.0f} s ({run.done / seconds:.1f} posts/s) "
        f"with the bulk worker at nice {args.bulk_nice}"
    )
    print(
        f"recommendations during it: {len(latencies)} (statuses {statuses}), upload to result "
        f"p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s"
    )
    print(
        f"reconciler runs during it: {len(reconciled)}, re-queued per run: posts "
        f"{[p for p, _ in reconciled]}, runs {[r for _, r in reconciled]}"
    )


if __name__ == "__main__":
    main()
