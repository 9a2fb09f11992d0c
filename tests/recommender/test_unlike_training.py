"""A photo unlike the model's training photos is called uncertain in plain words."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from mlcore.model import StyleCheckpoint
from recommender.models import RecommendationRequest
from recommender.services import requests as services
from tests.conftest import jpeg_bytes
from tests.recommender.test_result_honesty import done_request, in_language

pytestmark = pytest.mark.django_db


def test_a_processed_request_records_whether_the_photo_is_unlike_the_training_photos(
    consumer, active_model, django_capture_on_commit_callbacks, tiny_checkpoint
):
    assert StyleCheckpoint.load(tiny_checkpoint).ood_energy_threshold is not None
    with django_capture_on_commit_callbacks(execute=True):
        created = services.recommendation_create(
            user=consumer,
            image=SimpleUploadedFile("look.jpg", jpeg_bytes(size=(120, 160)), "image/jpeg"),
        )
    created.refresh_from_db()
    assert created.status == RecommendationRequest.Status.DONE
    assert created.unlike_training in (True, False)  # checked, not skipped
    api = APIClient()
    api.force_authenticate(consumer)
    body = api.get(f"/api/v1/recommendations/{created.pk}/").json()
    assert body["unlike_training"] is created.unlike_training


def test_the_result_page_says_so_in_plain_words(client, consumer, active_model):
    request = done_request(consumer, "romantic", mode="consumer", model_version=active_model)
    client.force_login(consumer)
    page = in_language(client, "en").get(f"/recommendations/{request.pk}/").content.decode()
    assert 'data-notice="unlike_training"' not in page  # an older result: nothing claimed
    RecommendationRequest.objects.filter(pk=request.pk).update(unlike_training=True)
    page = in_language(client, "en").get(f"/recommendations/{request.pk}/").content.decode()
    assert "looks unlike the photos the model learned from" in page
    korean = in_language(client, "ko").get(f"/recommendations/{request.pk}/").content.decode()
    assert 'data-notice="unlike_training"' in korean and "학습한 사진과 달라" in korean
