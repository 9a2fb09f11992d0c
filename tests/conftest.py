import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from PIL import Image

from tests.factories import BrandFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Every test gets its own MEDIA_ROOT and an empty cache (rate limits, debounce keys)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shared_data() -> Path:
    path = Path(settings.SHARED_DATA_DIR)
    if not path.is_dir():
        pytest.skip(f"shared data set not found at {path} (set STYLEMATCH_SHARED_DATA)")
    return path


def media_files(root) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def jpeg_bytes(color=(200, 80, 120), size=(64, 80), **save_args) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", **save_args)
    return buffer.getvalue()


def png_bytes(size=(64, 64), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else (10, 120, 200, 128)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


@pytest.fixture
def consumer(db):
    return UserFactory()


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture
def brand(db):
    return BrandFactory()


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A real ResNet-18 checkpoint trained briefly on generated images (seconds on a CPU)."""
    from mlcore.demo_images import demo_training_set_write
    from mlcore.preprocessing import Preprocessing
    from mlcore.train import RECIPES, Recipe, TrainConfig, train

    folder = tmp_path_factory.mktemp("tiny-data")
    demo_training_set_write(folder, per_style=4, size=(48, 60))
    out = folder / "tiny.pt"
    recipe = Recipe(
        **{
            **RECIPES["small-data"].__dict__,
            "name": "tiny",
            "epochs": 2,
            "batch_size": 16,
            "warmup_epochs": 0,
        }
    )
    train(
        TrainConfig(
            data=folder,
            out=out,
            recipe=recipe,
            device="cpu",
            val_fraction=0.25,
            workers=0,
            preprocessing=Preprocessing(resize=40, crop=32),
            is_demo=True,
            trained_on="tiny generated test set",
            progress=False,
            threads=1,  # two threads crawl when another process holds a core (docs/benchmarks.md)
        )
    )
    return out


@pytest.fixture(scope="session")
def full_size_checkpoint(tiny_checkpoint, tmp_path_factory) -> Path:
    """The tiny model's weights with the production input geometry (resize 256, crop 224): a
    ResNet takes any input size, and this is the geometry post-image derivatives are made for."""
    from dataclasses import replace

    from mlcore.model import StyleCheckpoint
    from mlcore.preprocessing import Preprocessing

    out = tmp_path_factory.mktemp("full-size") / "full-size.pt"
    replace(StyleCheckpoint.load(tiny_checkpoint), preprocessing=Preprocessing()).save(out)
    return out


@pytest.fixture
def active_model(db, tiny_checkpoint):
    from recommender.services.registry import model_version_register

    return model_version_register(checkpoint_path=tiny_checkpoint, name="tiny", activate=True)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: the real-worker tests need Redis")
    return url


def database_url_for_worker() -> str:
    from django.db import connection

    data = connection.settings_dict
    if data["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{data['NAME']}"
    user = data.get("USER") or "postgres"
    return f"postgres://{user}@{data.get('HOST') or '127.0.0.1'}:{data.get('PORT') or 5432}/{data['NAME']}"


class Worker:
    """A real Celery worker process on real Redis, sharing the test database and media."""

    def __init__(
        self,
        redis_url: str,
        media_root: str,
        log_path: Path,
        extra_env=None,
        queues: str = "interactive,bulk",
    ):
        self.queues = queues
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DATABASE_URL": database_url_for_worker(),
            "MEDIA_ROOT": media_root,
            "MODEL_CACHE_DIR": settings.MODEL_CACHE_DIR,
            **(extra_env or {}),
        }
        self.log_path = log_path
        self.process = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                f"--queues={self.queues}",
                f"--hostname={self.log_path.stem}@%h",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if b"ready." in self.log_path.read_bytes():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError("worker did not start:\n" + self.log_path.read_text()[-3000:])

    def child_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def broker_mode(redis_url):
    """Send tasks to Redis for real (instead of running them in-process)."""
    import redis

    from config.celery_app import app

    redis.Redis.from_url(redis_url).flushdb()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.broker_url = redis_url
    app.conf.result_backend = redis_url
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def worker(broker_mode, redis_url, settings, tmp_path):
    w = Worker(redis_url, settings.MEDIA_ROOT, tmp_path / "worker.log").start()
    yield w
    w.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=60, interval=0.3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


@pytest.fixture
def at_leaf():
    """For tests that migrate (tests/migration_steps.py): whatever a test does to the schema, the
    next test finds it migrated to the end."""
    yield
    from tests.migration_steps import migrate_to_the_end

    migrate_to_the_end()
