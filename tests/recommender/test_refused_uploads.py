"""Refused uploads (400, nothing stored) do not use up the upload limit: they are counted apart,
with a larger limit of their own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from recommender.models import RecommendationRequest
from tests.conftest import jpeg_bytes, media_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "uploads": "2/hour",
        "refused_uploads": "4/hour",
    }


def post(client, name, data):
    return client.post(
        "/api/v1/recommendations/", {"image": SimpleUploadedFile(name, data)}, format="multipart"
    )


def test_refused_uploads_leave_the_upload_limit_whole(consumer, rates, settings):
    client = APIClient()
    client.force_authenticate(consumer)
    for _ in range(3):
        assert post(client, "notes.png", b"not an image at all").status_code == 400
    assert media_files(settings.MEDIA_ROOT) == []
    assert post(client, "look.jpg", jpeg_bytes()).status_code == 202
    assert post(client, "look.jpg", jpeg_bytes()).status_code == 202
    third = post(client, "look.jpg", jpeg_bytes())
    assert third.status_code == 429 and third.json()["code"] == "rate_limited"
    assert RecommendationRequest.objects.filter(user=consumer).count() == 2


def test_a_script_sending_junk_is_stopped_by_the_refused_limit(consumer, rates):
    client = APIClient()
    client.force_authenticate(consumer)
    codes = [post(client, "x.png", b"junk").status_code for _ in range(6)]
    assert codes == [400, 400, 400, 400, 429, 429]
    # ...and once refused uploads are spent, even a good photo waits (the same person).
    assert post(client, "look.jpg", jpeg_bytes()).status_code == 429
    assert not RecommendationRequest.objects.exists()


def test_each_user_has_their_own_counts(consumer, stranger, rates):
    mine, theirs = APIClient(), APIClient()
    mine.force_authenticate(consumer)
    theirs.force_authenticate(stranger)
    for _ in range(4):
        post(mine, "x.png", b"junk")
    assert post(theirs, "look.jpg", jpeg_bytes()).status_code == 202
