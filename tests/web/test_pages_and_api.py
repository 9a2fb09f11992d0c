import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from recommender.models import RecommendationRequest
from recommender.services import requests as services
from tests.conftest import jpeg_bytes
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db


def upload(name="look.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(size=(100, 120)), content_type="image/jpeg")


@pytest.fixture
def owned_request(consumer):
    return services.recommendation_create(user=consumer, image=upload())


def api(user=None):
    client = APIClient(enforce_csrf_checks=True)
    if user:
        client.force_authenticate(user)
    return client


PAGE_URLS = ["/recommendations/{pk}/", "/recommendations/{pk}/result/"]


@pytest.mark.parametrize("url", PAGE_URLS)
def test_pages_show_a_request_to_its_owner_only(client, consumer, stranger, owned_request, url):
    url = url.format(pk=owned_request.pk)
    client.force_login(consumer)
    assert client.get(url).status_code == 200
    client.force_login(stranger)
    stranger_response = client.get(url)
    missing = client.get(url.replace(str(owned_request.pk), "999999"))
    assert stranger_response.status_code == missing.status_code == 404
    assert stranger_response.content == missing.content
    client.logout()
    assert client.get(url).status_code == 302


def test_a_stranger_cannot_delete_anothers_request(client, stranger, owned_request):
    client.force_login(stranger)
    assert client.post(f"/recommendations/{owned_request.pk}/delete/").status_code == 404
    assert RecommendationRequest.objects.filter(pk=owned_request.pk).exists()


def test_the_history_lists_only_ones_own_requests(client, consumer, stranger, owned_request):
    services.recommendation_create(user=stranger, image=upload())
    client.force_login(consumer)
    page = client.get("/history/")
    assert list(page.context["page"]) == [owned_request]


def test_the_upload_form_creates_a_request_and_shows_its_page(client, consumer, active_model):
    client.force_login(consumer)
    response = client.post(
        "/recommendations/",
        {
            "image": upload(),
            "mode": "consumer",
            "gender": "F",
            "body_size": "M",
            "ranking": "similarity",
        },
    )
    request = RecommendationRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/recommendations/{request.pk}/"


def test_the_upload_form_shows_a_clear_error_for_a_bad_file(client, consumer):
    client.force_login(consumer)
    response = client.post(
        "/recommendations/",
        {
            "image": SimpleUploadedFile("x.png", b"not an image"),
            "mode": "consumer",
            "gender": "F",
            "body_size": "M",
            "ranking": "similarity",
        },
    )
    assert response.status_code == 400
    assert "이미지 파일이 아닙니다" in response.content.decode()
    assert not RecommendationRequest.objects.exists()


def test_anonymous_users_cannot_upload(client):
    response = client.post("/recommendations/", {"image": upload()})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not RecommendationRequest.objects.exists()


def test_the_api_answers_202_with_the_request_id(consumer, active_model):
    response = api(consumer).post(
        "/api/v1/recommendations/",
        {"image": upload(), "gender": "F", "size": "M"},
        format="multipart",
    )
    assert response.status_code == 202
    body = response.json()
    assert RecommendationRequest.objects.filter(pk=body["id"], user=consumer).exists()
    assert response["Location"] == f"/api/v1/recommendations/{body['id']}/"


@pytest.mark.parametrize("method", ["get", "delete"])
def test_the_api_shows_and_deletes_ones_own_requests_only(
    consumer, stranger, owned_request, method
):
    url = f"/api/v1/recommendations/{owned_request.pk}/"
    assert getattr(api(stranger), method)(url).status_code == 404
    assert getattr(api(), method)(url).status_code in (401, 403)
    assert getattr(api(consumer), method)(url).status_code in (200, 204)


def test_the_api_list_holds_only_ones_own_requests(consumer, stranger, owned_request):
    services.recommendation_create(user=stranger, image=upload())
    body = api(consumer).get("/api/v1/recommendations/").json()
    assert [r["id"] for r in body["results"]] == [owned_request.pk]


def test_the_api_throttles_uploads_with_retry_after(consumer, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "uploads": "1/hour",
        },
    }
    client = api(consumer)
    first = client.post("/api/v1/recommendations/", {"image": upload()}, format="multipart")
    second = client.post("/api/v1/recommendations/", {"image": upload()}, format="multipart")
    assert first.status_code == 202
    assert second.status_code == 429 and int(second["Retry-After"]) > 0
    assert second.json()["code"] == "rate_limited"


def test_the_api_refuses_a_bad_image_with_a_stable_code(consumer):
    response = api(consumer).post(
        "/api/v1/recommendations/",
        {"image": SimpleUploadedFile("a.jpg.php", jpeg_bytes())},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "extension_mismatch"


def test_the_api_denies_by_default():
    assert api().get("/api/v1/influencers/").status_code in (401, 403)


def test_the_openapi_schema_and_offline_swagger_ui_are_served(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/recommendations/" in paths and "/api/v1/influencers/" in paths
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()


def test_the_served_schema_validates_as_openapi_3():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    validate_schema(SchemaGenerator().get_schema(request=None, public=True))


def make_catalogue(n):
    from influencers.services.profiles import influencer_style_profile_rebuild

    for i in range(n):
        influencer = InfluencerFactory(handle=f"list_{i}", followers=1000)
        classified_post(influencer, "street", 10)
        influencer_style_profile_rebuild(influencer_id=influencer.pk)


def queries_for(callable_):
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_lists_run_a_constant_number_of_queries_whatever_their_size(client, consumer):
    make_catalogue(3)
    user_api = api(consumer)
    small = queries_for(lambda: user_api.get("/api/v1/influencers/?page_size=20"))
    small_page = queries_for(lambda: client.get("/influencers/"))
    from influencers.models import Influencer

    for i in range(3, 20):
        InfluencerFactory(handle=f"more_{i}")
    assert Influencer.objects.count() == 20
    assert queries_for(lambda: user_api.get("/api/v1/influencers/")) == small
    assert queries_for(lambda: client.get("/influencers/")) == small_page


def test_history_runs_a_constant_number_of_queries(client, consumer):
    client.force_login(consumer)
    services.recommendation_create(user=consumer, image=upload())
    one = queries_for(lambda: client.get("/history/"))
    for _ in range(5):
        services.recommendation_create(user=consumer, image=upload())
    assert queries_for(lambda: client.get("/history/")) == one


def test_influencer_search_and_filters(consumer):
    make_catalogue(2)
    InfluencerFactory(handle="other_style", gender="M")
    body = api(consumer).get("/api/v1/influencers/?style=street&gender=F").json()
    assert sorted(r["handle"] for r in body["results"]) == ["list_0", "list_1"]
    body = api(consumer).get("/api/v1/influencers/?q=list_1").json()
    assert [r["handle"] for r in body["results"]] == ["list_1"]
    assert api(consumer).get("/api/v1/influencers/?min_followers=abc").status_code == 400
    for bad in ("q=%00", "min_followers=99999999999", "style=nope", "size=XL"):
        response = api(consumer).get(f"/api/v1/influencers/?{bad}")
        assert response.status_code == 400, bad


def test_the_influencer_page_shows_feed_styles_and_summary(client):
    make_catalogue(1)
    response = client.get("/influencers/list_0/")
    assert response.status_code == 200
    assert "스트리트" in response.content.decode()


def test_a_deactivated_influencer_shows_as_unavailable_not_an_error(client):
    InfluencerFactory(handle="gone", is_active=False)
    response = client.get("/influencers/gone/")
    assert response.status_code == 410
    assert "더 이상" in response.content.decode()
    assert api(UserFactory()).get("/api/v1/influencers/gone/").status_code == 404


def test_query_images_are_private_and_served_as_images_only(
    client, consumer, stranger, owned_request
):
    url = f"/media/{owned_request.image.name}"
    client.force_login(consumer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.get("/media/../config/settings/base.py").status_code == 404
    # Staff read a user's photo only with the permission to view recommendation requests.
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="view_recommendationrequest"))
    client.force_login(User.objects.get(pk=staff.pk))  # permissions are cached per instance
    assert client.get(url).status_code == 200
