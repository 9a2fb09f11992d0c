"""POST /api/v1/recommendations/: gender and size are optional for everyone, blank = any."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from recommender.models import RecommendationRequest
from tests.conftest import jpeg_bytes, media_files

pytestmark = pytest.mark.django_db


def upload():
    return SimpleUploadedFile("look.jpg", jpeg_bytes(size=(100, 120)), content_type="image/jpeg")


def api(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "filters", [{}, {"gender": "", "size": ""}, {"gender": "M"}, {"size": "L"}]
)
def test_a_brand_request_with_any_gender_or_size_is_accepted(brand, filters):
    response = api(brand).post(
        "/api/v1/recommendations/", {"image": upload(), **filters}, format="multipart"
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    stored = RecommendationRequest.objects.get(pk=body["id"])
    assert (stored.gender, stored.body_size) == (filters.get("gender", ""), filters.get("size", ""))
    assert (body["gender"], body["size"]) == (stored.gender, stored.body_size)


@pytest.mark.parametrize("field,value", [("gender", "X"), ("size", "XL"), ("size", "m")])
def test_a_gender_or_size_outside_the_choices_is_a_400_naming_the_field(
    brand, settings, field, value
):
    response = api(brand).post(
        "/api/v1/recommendations/", {"image": upload(), field: value}, format="multipart"
    )
    assert response.status_code == 400 and field in response.json()
    assert not RecommendationRequest.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []


def test_the_schema_calls_gender_and_size_optional_and_says_blank_is_any(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    body = schema["paths"]["/api/v1/recommendations/"]["post"]["requestBody"]["content"]
    form = body["multipart/form-data"]["schema"]
    name = form["$ref"].rsplit("/", 1)[-1]
    component = schema["components"]["schemas"][name]
    assert component["required"] == ["image"]
    for field in ("gender", "size"):
        assert "any" in component["properties"][field]["description"]
