"""Consent: sign-up asks for the required and the optional items separately and records the
policy version and time; a new policy version is asked for before anything else (pages redirect,
the API answers a clear code); the privacy policy and terms are linked from every page."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ConsentRecord, User
from accounts.privacy import constants
from accounts.tokens import api_token_create
from tests.factories import STRONG_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "role": "consumer",
    "username": "minji",
    "email": "minji@example.com",
    "password1": STRONG_PASSWORD,
    "password2": STRONG_PASSWORD,
    "gender": "F",
    "body_size": "S",
}


def test_sign_up_without_the_required_consent_is_refused_and_creates_nothing(client):
    response = client.post(reverse("accounts:signup"), {**SIGN_UP, "marketing_agreed": "on"})
    assert response.status_code == 200
    assert "가입하려면 개인정보 수집·이용에 동의해 주세요." in response.content.decode()
    assert not User.objects.exists() and not ConsentRecord.objects.exists()


@pytest.mark.parametrize("marketing", [True, False])
def test_sign_up_records_each_answer_with_the_policy_version_and_time(client, marketing):
    data = {**SIGN_UP, "policy_agreed": "on"}
    if marketing:
        data["marketing_agreed"] = "on"
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 302
    user = User.objects.get()
    answers = {r.kind: r for r in ConsentRecord.objects.filter(user=user)}
    assert answers["required"].agreed is True
    assert answers["marketing"].agreed is marketing
    assert {r.version for r in answers.values()} == {constants.policy_version()}
    assert all(r.answered_at for r in answers.values())


def test_the_sign_up_page_asks_for_the_two_consents_separately_and_links_the_policy(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert 'name="policy_agreed"' in html and 'name="marketing_agreed"' in html
    assert 'href="/privacy/"' in html and 'href="/terms/"' in html


def test_a_new_policy_version_is_asked_for_before_any_page(settings):
    user = UserFactory()  # agreed to the current version
    client = Client()
    client.force_login(user)
    assert client.get("/history/").status_code == 200
    settings.PRIVACY_POLICY_VERSION = "2099-01-01"

    response = client.get("/history/?page=1")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/consent/?next=%2Fhistory%2F%3Fpage%3D1"
    # The policy texts, the export and leaving stay open meanwhile.
    assert client.get("/privacy/").status_code == 200
    assert client.get("/accounts/export/").status_code == 200
    assert client.get("/accounts/withdraw/").status_code == 200
    page = client.get(response["Location"])
    assert page.status_code == 200 and "2099-01-01" in page.content.decode()
    refused = client.post("/accounts/consent/", {"next": "/history/?page=1"})
    assert refused.status_code == 200 and client.get("/history/").status_code == 302

    agreed = client.post("/accounts/consent/", {"policy_agreed": "on", "next": "/history/?page=1"})

    assert agreed.status_code == 302 and agreed["Location"] == "/history/?page=1"
    assert client.get("/history/").status_code == 200
    assert ConsentRecord.objects.filter(user=user, version="2099-01-01", agreed=True).exists()


def test_the_consent_page_never_sends_anyone_off_the_site():
    client = Client()
    client.force_login(UserFactory(policy_agreed=False))
    response = client.post(
        "/accounts/consent/", {"policy_agreed": "on", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_api_answers_policy_consent_required_until_the_user_agrees():
    user = UserFactory(policy_agreed=False)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")

    refused = api.get("/api/v1/recommendations/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "policy_consent_required"
    assert api.get("/api/v1/campaigns/").json()["code"] == "policy_consent_required"
    state = api.get("/api/v1/me/consent/").json()
    assert state == {
        "policy_version": constants.policy_version(),
        "agreed": False,
        "marketing_agreed": False,
    }
    assert api.post("/api/v1/me/consent/", {"policy_agreed": False}).status_code == 400

    assert api.post("/api/v1/me/consent/", {"policy_agreed": True}).json()["agreed"] is True
    assert api.get("/api/v1/recommendations/").status_code == 200


def test_marketing_consent_can_be_withdrawn_from_the_profile():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    offer = 'name="marketing_agreed" value="1"'
    assert offer in client.get("/accounts/profile/").content.decode()
    client.post("/accounts/marketing/", {"marketing_agreed": "1"})
    withdraw = 'name="marketing_agreed" value="0"'
    assert withdraw in client.get("/accounts/profile/").content.decode()
    client.post("/accounts/marketing/", {"marketing_agreed": "0"})
    answers = list(
        ConsentRecord.objects.filter(user=user, kind="marketing")
        .order_by("id")
        .values_list("agreed", flat=True)
    )
    assert answers == [False, True, False]


@pytest.mark.parametrize("path", ["/", "/influencers/", "/accounts/login/", "/privacy/", "/terms/"])
def test_every_page_links_the_privacy_policy_and_terms_in_its_footer(client, path):
    html = client.get(path).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/privacy/"' in footer and 'href="/terms/"' in footer
    assert 'href="/removal-request/"' in footer


@pytest.mark.parametrize(
    "language,policy,terms",
    [("ko", "개인정보처리방침", "이용약관"), ("en", "Privacy policy", "Terms of service")],
)
def test_the_policy_and_terms_are_in_korean_and_english(client, language, policy, terms):
    client.cookies["django_language"] = language
    privacy = client.get("/privacy/").content.decode()
    assert f"<h1>{policy}</h1>" in privacy and 'href="mailto:' in privacy
    assert f"<h1>{terms}</h1>" in client.get("/terms/").content.decode()
