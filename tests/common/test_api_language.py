"""The API answers in the language of the client's Accept-Language; pages keep the site's choice."""

import pytest
from django.core.files.base import ContentFile

from accounts.models import Role
from recommender.models import FailureCode, RecommendationRequest
from recommender.services.requests import QUEUE_DOWN_MESSAGE
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_an_api_404_is_korean_without_a_header_and_english_when_asked(client, consumer):
    client.force_login(consumer)
    korean = client.get("/api/v1/influencers/nobody/")
    english = client.get("/api/v1/influencers/nobody/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert korean.status_code == english.status_code == 404
    assert korean.json() == {"code": "not_found", "detail": "찾을 수 없습니다."}
    assert english.json() == {"code": "not_found", "detail": "Not found."}
    assert korean["Content-Language"] == "ko" and english["Content-Language"] == "en"
    assert "Accept-Language" in english["Vary"]


def test_api_validation_errors_follow_the_header_best_quality_first(client, consumer):
    client.force_login(consumer)
    url = "/api/v1/influencers/?gender=Q"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="fr;q=1.0, en;q=0.8, ko;q=0.5").json()
    korean = client.get(url, HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9,en;q=0.8").json()
    assert english["gender"] == ["Select a valid choice. Q is not one of the available choices."]
    assert korean["gender"][0] != english["gender"][0] and "Q" in korean["gender"][0]


def test_an_anonymous_api_call_is_refused_in_the_language_asked(client):
    english = client.get("/api/v1/influencers/", HTTP_ACCEPT_LANGUAGE="en")
    korean = client.get("/api/v1/influencers/", HTTP_ACCEPT_LANGUAGE="ko")
    assert english.status_code == korean.status_code == 401
    assert english.json()["detail"] == "Authentication credentials were not provided."
    assert korean.json()["detail"] != english.json()["detail"]


def test_a_page_ignores_accept_language_and_keeps_the_chosen_language(client):
    page = client.get("/influencers/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "ko"
    assert '<html lang="ko">' in page.content.decode()
    client.cookies["django_language"] = "en"
    chosen = client.get("/influencers/", HTTP_ACCEPT_LANGUAGE="ko")
    assert chosen["Content-Language"] == "en"


def test_a_failed_recommendation_says_why_in_the_client_language(client, consumer):
    item = RecommendationRequest.objects.create(
        user=consumer,
        image=ContentFile(jpeg_bytes(), name="q.jpg"),
        mode=Role.CONSUMER,
        gender="F",
        body_size="M",
        status=RecommendationRequest.Status.FAILED,
        failure_code=FailureCode.NO_MODEL,
        failure_reason="no active model",
        status_message=QUEUE_DOWN_MESSAGE,
    )
    client.force_login(consumer)
    url = f"/api/v1/recommendations/{item.pk}/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    korean = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").json()
    assert english["failure_message"] == (
        "No style model is active yet; an administrator must activate one."
    )
    assert english["failure_reason"] == korean["failure_reason"] == "no active model"
    assert korean["failure_message"] != english["failure_message"]
    assert english["status_message"].startswith("The work queue is unavailable")
    assert korean["status_message"] != english["status_message"]


def test_without_a_language_header_the_api_follows_the_switcher_then_korean(client, consumer):
    client.force_login(consumer)
    assert client.get("/api/v1/influencers/nobody/").json()["detail"] == "찾을 수 없습니다."
    client.cookies["django_language"] = "en"
    assert client.get("/api/v1/influencers/nobody/").json()["detail"] == "Not found."
    # The header, when it names a language of the site, wins over the cookie.
    korean = client.get("/api/v1/influencers/nobody/", HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.json()["detail"] == "찾을 수 없습니다."
    unknown = client.get("/api/v1/influencers/nobody/", HTTP_ACCEPT_LANGUAGE="fr, de;q=0.5")
    assert unknown.json()["detail"] == "Not found."
