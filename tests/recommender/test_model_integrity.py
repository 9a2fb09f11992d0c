"""Model files are checked by SHA-256 on every load, from the local cache and from storage."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from mlcore.model import CheckpointIntegrityError, StyleCheckpoint, file_sha256
from recommender.models import RecommendationRequest
from recommender.services import requests as services
from recommender.services.classifiers import classifier_cache_clear, classifier_for
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db
Status = RecommendationRequest.Status


def corrupt(path: Path) -> None:
    """Flip bytes in the middle of the file (the weights), as a bad disk or copy would."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))


def cached_copy(version) -> Path:
    return Path(settings.MODEL_CACHE_DIR) / f"{version.checkpoint_sha256}.pt"


def stored_copy(version) -> Path:
    return Path(version.checkpoint.path)


@pytest.fixture
def loaded_model(active_model):
    classifier_cache_clear()
    classifier_for(active_model)  # puts a verified copy in the cache
    classifier_cache_clear()
    yield active_model
    classifier_cache_clear()


def recommend(user, django_capture_on_commit_callbacks):
    image = SimpleUploadedFile("look.jpg", jpeg_bytes(size=(120, 160)), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        request = services.recommendation_create(user=user, image=image)
    request.refresh_from_db()
    return request


def test_a_checkpoint_whose_bytes_differ_from_the_registered_digest_is_refused(
    tiny_checkpoint, tmp_path
):
    good = file_sha256(tiny_checkpoint)
    assert StyleCheckpoint.load(tiny_checkpoint, sha256=good).classes
    bad = tmp_path / "bad.pt"
    bad.write_bytes(tiny_checkpoint.read_bytes())
    corrupt(bad)
    with pytest.raises(CheckpointIntegrityError, match="not the registered"):
        StyleCheckpoint.load(bad, sha256=good)


def test_a_corrupted_cached_copy_is_fetched_again_from_storage_and_served(
    loaded_model, consumer, django_capture_on_commit_callbacks
):
    cache = cached_copy(loaded_model)
    corrupt(cache)
    assert file_sha256(cache) != loaded_model.checkpoint_sha256
    request = recommend(consumer, django_capture_on_commit_callbacks)
    assert request.status == Status.DONE, request.failure_reason
    assert file_sha256(cache) == loaded_model.checkpoint_sha256  # the bad copy was replaced


def test_a_truncated_cached_copy_is_fetched_again(loaded_model):
    cache = cached_copy(loaded_model)
    cache.write_bytes(cache.read_bytes()[:1000])
    assert classifier_for(loaded_model).checkpoint is not None
    assert file_sha256(cache) == loaded_model.checkpoint_sha256


def test_a_corrupted_stored_copy_fails_the_request_with_the_reason_and_healthz_says_so(
    loaded_model, consumer, client, django_capture_on_commit_callbacks
):
    good = stored_copy(loaded_model).read_bytes()
    corrupt(stored_copy(loaded_model))
    corrupt(cached_copy(loaded_model))

    request = recommend(consumer, django_capture_on_commit_callbacks)
    assert request.status == Status.FAILED
    assert "cannot be loaded" in request.failure_reason and "SHA-256" in request.failure_reason
    assert not cached_copy(loaded_model).exists()  # no bad copy is kept in the cache
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["down"] == ["style_model"]
    assert "SHA-256" in health.json()["style_model"]["detail"]

    # Once the stored copy is right again, the next load serves it and health recovers.
    stored_copy(loaded_model).write_bytes(good)
    request = recommend(consumer, django_capture_on_commit_callbacks)
    assert request.status == Status.DONE, request.failure_reason
    assert client.get("/healthz").status_code == 200


def test_healthz_names_the_active_model_when_it_loads(loaded_model, client):
    body = client.get("/healthz").json()
    assert body["style_model"] == {
        "ok": True,
        "detail": f"{loaded_model.name} ({loaded_model.checkpoint_sha256[:12]})",
    }
