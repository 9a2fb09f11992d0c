"""Catalogue re-classification through real bulk workers on real Redis (and the test database)."""

import os
import signal
from pathlib import Path

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from common.vectors import vector_from_bytes
from influencers.models import ClassificationStatus, Post
from influencers.services.derivatives import derivative_name
from recommender.models import ReclassificationRun
from recommender.services.reclassification import reclassification_start
from recommender.services.registry import model_version_register
from tests.conftest import Worker, wait_for
from tests.factories import InfluencerFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
RunStatus = ReclassificationRun.Status
SMALL_SLICES = {"CLASSIFY_CPU_BATCH_SIZE": "4", "RECLASSIFY_SLICE_SECONDS": "1"}


@pytest.fixture
def photos_catalogue(shared_data):
    photos = sorted((shared_data / "kfashion-sample").rglob("*.jpg"))[:24]
    influencers = [InfluencerFactory(handle=f"rw_{n}") for n in range(4)]
    for n, photo in enumerate(photos):
        name = default_storage.save(f"posts/{photo.name}", ContentFile(photo.read_bytes()))
        Post.objects.create(influencer=influencers[n % 4], instagram_id=f"rw{n}", image=name)
    return len(photos)


def bulk_worker(settings, tmp_path, redis_url, name, **env) -> Worker:
    return Worker(
        redis_url, settings.MEDIA_ROOT, tmp_path / f"{name}.log", extra_env=env, queues="bulk"
    ).start()


def run_of(version) -> ReclassificationRun:
    return ReclassificationRun.objects.filter(model_version=version).first()


def test_a_run_goes_in_slices_and_a_worker_child_killed_mid_run_resumes_it(
    broker_mode, redis_url, settings, tmp_path, tiny_checkpoint, photos_catalogue
):
    worker = bulk_worker(
        settings,
        tmp_path,
        redis_url,
        "bulk",
        **SMALL_SLICES,
        FAULT_INJECTION_RECLASSIFY_BATCH_DELAY="0.4",
    )
    try:
        version = model_version_register(checkpoint_path=tiny_checkpoint, activate=True)
        assert wait_for(lambda: (run_of(version).done or 0) >= 8, timeout=90), (
            worker.log_path.read_text()[-3000:]
        )
        killed_at = run_of(version).done
        assert killed_at < photos_catalogue  # mid-run
        for pid in worker.child_pids():
            os.kill(pid, signal.SIGKILL)
        assert wait_for(lambda: run_of(version).status == RunStatus.DONE, timeout=120), (
            worker.log_path.read_text()[-3000:]
        )
    finally:
        worker.stop()
    run = run_of(version)
    assert (run.done, run.total, run.classified) == (photos_catalogue,) * 3
    done = Post.objects.filter(
        classification_status=ClassificationStatus.DONE, model_version=version
    )
    assert done.count() == photos_catalogue
    log = worker.log_path.read_text()
    assert log.count("reclassification_run_task[") >= 3  # handed on between slices


def test_two_workers_with_different_local_model_caches_give_the_same_results(
    broker_mode, redis_url, settings, tmp_path, full_size_checkpoint, photos_catalogue
):
    """Scale-out: the model cache is the only local file; each machine's copy is checked. The
    first machine stores the images' classification derivatives in the shared media, the second
    reads them: the same results either way."""
    first_cache, second_cache = tmp_path / "cache-a", tmp_path / "cache-b"
    version = model_version_register(checkpoint_path=full_size_checkpoint, activate=False)
    # The second machine's cache holds a damaged copy: it must fetch a good one, not use it.
    second_cache.mkdir()
    damaged = bytearray(Path(full_size_checkpoint).read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (second_cache / f"{version.checkpoint_sha256}.pt").write_bytes(bytes(damaged))

    results = []
    for name, cache in (("machine-a", first_cache), ("machine-b", second_cache)):
        worker = bulk_worker(settings, tmp_path, redis_url, name, MODEL_CACHE_DIR=str(cache))
        try:
            if not results:
                from recommender.services.registry import model_version_activate

                model_version_activate(model_version_id=version.pk)
            else:
                reclassification_start(model_version_id=version.pk)
            assert wait_for(lambda: run_of(version).status == RunStatus.DONE, timeout=120), (
                worker.log_path.read_text()[-3000:]
            )
        finally:
            worker.stop()
        results.append(
            {
                pk: (style, vector_from_bytes(embedding))
                for pk, style, embedding in Post.objects.values_list(
                    "pk", "predicted_style", "embedding"
                )
            }
        )
    assert (second_cache / f"{version.checkpoint_sha256}.pt").read_bytes() == Path(
        full_size_checkpoint
    ).read_bytes()
    assert results[0].keys() == results[1].keys() and len(results[0]) == photos_catalogue
    names = Post.objects.values_list("image", flat=True)
    assert all(default_storage.exists(derivative_name(name)) for name in names)
    for pk, (style, embedding) in results[0].items():
        assert results[1][pk][0] == style
        np.testing.assert_array_equal(results[1][pk][1], embedding)
