"""Issue 21: private answers said nothing about caching, so a shared computer's browser or a proxy
could keep a user's profile, history, results and exports. Now every private answer says
`Cache-Control: no-store` (common/middleware.py), and public pages stay cacheable."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from campaigns.services import campaign_create
from recommender.services import requests as request_services
from tests.conftest import jpeg_bytes
from tests.factories import BrandFactory, InfluencerFactory, UserFactory

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def brand_with_campaign():
    brand = BrandFactory()
    campaign = campaign_create(user=brand, name="SS", target_gender="F", target_body_size="M")
    return brand, campaign


def test_every_page_for_a_signed_in_user_says_no_store(client, brand_with_campaign):
    brand, campaign = brand_with_campaign
    InfluencerFactory(handle="public")
    made = request_services.recommendation_create(
        user=brand,
        image=SimpleUploadedFile("a.jpg", jpeg_bytes(size=(90, 90))),
        gender="F",
        body_size="M",
    )
    client.force_login(brand)
    for url in (
        "/accounts/profile/",
        "/accounts/profile/tokens/",
        "/history/",
        f"/recommendations/{made.pk}/",
        f"/recommendations/{made.pk}/result/",
        "/campaigns/",
        f"/campaigns/{campaign.pk}/",
        "/saved/",
        "/",
        "/influencers/public/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url


def test_csv_exports_say_no_store_on_page_and_api(client, brand_with_campaign):
    brand, campaign = brand_with_campaign
    client.force_login(brand)
    page = client.get(f"/campaigns/{campaign.pk}/shortlist.csv")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/csv")
    assert no_store(page)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=brand)[1]}")
    exported = api.get(f"/api/v1/campaigns/{campaign.pk}/shortlist.csv")
    assert exported.status_code == 200 and no_store(exported)


def test_api_answers_say_no_store_with_a_token_and_when_refused():
    api = APIClient()
    assert no_store(api.get("/api/v1/recommendations/"))  # 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=UserFactory())[1]}")
    response = api.get("/api/v1/recommendations/")
    assert response.status_code == 200 and no_store(response)
    assert no_store(api.get("/api/v1/auth/tokens/"))


def test_public_pages_for_visitors_stay_cacheable(client):
    for url in ("/", "/influencers/"):
        response = client.get(url)
        assert response.status_code == 200
        assert not no_store(response), url


def test_a_users_own_photo_keeps_its_private_browser_caching(client):
    user = UserFactory()
    made = request_services.recommendation_create(
        user=user, image=SimpleUploadedFile("a.jpg", jpeg_bytes(size=(90, 90)))
    )
    client.force_login(user)
    photo = client.get(f"/media/{made.image.name}")
    assert photo.status_code == 200
    assert photo["Cache-Control"].startswith("private") and not no_store(photo)
