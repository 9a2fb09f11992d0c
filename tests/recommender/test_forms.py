"""The recommendation form: what it offers and what it says."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from recommender.forms import RecommendationForm
from recommender.models import RecommendationRequest
from tests.conftest import jpeg_bytes


def test_the_photo_help_text_states_the_upload_limit_in_force():
    with override_settings(UPLOAD_MAX_BYTES=4 * 1024 * 1024), translation.override("en"):
        assert RecommendationForm().fields["image"].help_text == "JPEG, PNG or WebP, up to 4 MB."
    with translation.override("ko"):
        assert "최대 10 MB" in str(RecommendationForm().fields["image"].help_text)


@pytest.mark.django_db
def test_a_brand_form_offers_any_gender_and_size_and_starts_there(brand):
    form = RecommendationForm.for_user(brand)
    assert form.fields["gender"].choices[0][0] == form.fields["body_size"].choices[0][0] == ""
    with translation.override("ko"):
        assert str(form.fields["gender"].choices[0][1]) == "성별 무관"
        assert str(form.fields["body_size"].choices[0][1]) == "체형 무관"
    assert (form.initial["gender"], form.initial["body_size"]) == ("", "")
    page = RecommendationForm.for_user(brand).as_p()
    assert 'value="" selected' in page  # nothing quietly filled in


@pytest.mark.django_db
def test_a_consumer_form_starts_from_their_own_gender_and_size(consumer):
    form = RecommendationForm.for_user(consumer)
    assert (form.initial["gender"], form.initial["body_size"]) == (
        consumer.gender,
        consumer.body_size,
    )


@pytest.mark.django_db
def test_a_brand_posting_the_page_form_with_any_gets_a_request_for_any(client, brand):
    client.force_login(brand)
    response = client.post(
        "/recommendations/",
        {
            "image": SimpleUploadedFile("look.jpg", jpeg_bytes(size=(100, 120)), "image/jpeg"),
            "mode": "brand",
            "gender": "",
            "body_size": "",
            "ranking": "similarity",
        },
    )
    assert response.status_code == 302
    request = RecommendationRequest.objects.get(user=brand)
    assert (request.gender, request.body_size) == ("", "")
    detail = client.get(response.url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "성별 무관" in detail and "체형 무관" in detail


@pytest.mark.django_db
def test_the_page_form_refuses_a_gender_outside_the_choices(client, brand):
    client.force_login(brand)
    response = client.post(
        "/recommendations/",
        {
            "image": SimpleUploadedFile("look.jpg", jpeg_bytes(size=(100, 120)), "image/jpeg"),
            "mode": "brand",
            "gender": "X",
            "body_size": "",
            "ranking": "similarity",
        },
    )
    assert response.status_code == 400 and "gender" in response.context["form"].errors
    assert not RecommendationRequest.objects.exists()
