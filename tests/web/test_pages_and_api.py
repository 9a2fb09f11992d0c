import io
import re

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
from tests.web.test_web_experience import without_per_request_parts

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
    assert without_per_request_parts(stranger_response.content) == without_per_request_parts(
        missing.content
    )
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
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "uploads": "1/hour",
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


def test_deleting_from_history_asks_first_and_names_the_campaign_it_leaves(client, brand):
    """Walkthrough (issue 18): one click on "delete" took a campaign's image away unasked."""
    from campaigns.models import CampaignImage
    from campaigns.services import campaign_create, campaign_image_add

    campaign = campaign_create(
        user=brand, name="봄 원피스", target_gender="F", target_body_size="M"
    )
    image = campaign_image_add(campaign=campaign, image=upload(), user=brand)
    url = f"/recommendations/{image.recommendation_id}/delete/"
    client.force_login(brand)
    detail = client.get(f"/recommendations/{image.recommendation_id}/").content.decode()
    assert f'href="{url}"' in detail and f'action="{url}"' not in detail
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "봄 원피스" in confirm.content.decode() and 'name="confirm"' in confirm.content.decode()
    # A post that does not come from the confirmation (no confirm) only shows the question.
    assert client.post(url).status_code == 200
    assert CampaignImage.objects.filter(pk=image.pk).exists()
    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 302 and done.url == "/history/"
    assert not RecommendationRequest.objects.filter(pk=image.recommendation_id).exists()
    assert not CampaignImage.objects.filter(pk=image.pk).exists()


def test_a_search_that_finds_nobody_offers_the_next_step(client):
    """Walkthrough (issue 18): a zero-result search was a dead end."""
    InfluencerFactory(handle="someone_else")
    html = client.get("/influencers/", {"q": "없는말", "style": "romantic"}).content.decode()
    assert 'href="?q=%EC%97%86%EB%8A%94%EB%A7%90"' in html  # the same words, every style
    assert 'href="/influencers/"' in html.split('class="empty"')[1]
    assert 'href="/"' in html.split('class="empty"')[1]


def test_a_recommendation_without_matches_offers_the_next_step(
    client, consumer, active_model, django_capture_on_commit_callbacks
):
    """No influencer in the catalogue fits: the result links on instead of ending there."""
    with django_capture_on_commit_callbacks(execute=True):
        item = services.recommendation_create(user=consumer, image=upload())
    item.refresh_from_db()
    assert item.status == RecommendationRequest.Status.DONE
    client.force_login(consumer)
    html = client.get(f"/recommendations/{item.pk}/result/").content.decode()
    empty = html.split('class="empty"')[1]
    assert f'href="/influencers/?style={item.predicted_style}"' in empty
    assert 'href="/"' in empty


def test_the_korean_result_and_admin_name_models_and_styles_in_korean(
    client, consumer, active_model, django_capture_on_commit_callbacks
):
    """Walkthrough (issue 18): "tiny (demo, fp32, val top-1 …)" and raw style codes such as
    "romantic" were left in the Korean result page and admin."""
    from common.styles import style_label
    from influencers.models import ImportFormat, ImportJob
    from influencers.services.profiles import influencer_style_profile_rebuild

    influencer = InfluencerFactory(handle="styled", gender="F", body_size="M")
    classified_post(influencer, "romantic", 100)
    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.recommendation_create(user=consumer, image=upload())
    item.refresh_from_db()
    client.force_login(consumer)
    result = client.get(f"/recommendations/{item.pk}/result/").content.decode()
    badge = result.split('class="model-badge')[1].split("</p>")[0]
    assert "데모 모델" in badge and "demo" not in badge.split(">", 1)[1]
    assert "fp32" not in badge and "val top-1" not in badge

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    korean_name = style_label(item.predicted_style)
    changelist = client.get("/admin/recommender/recommendationrequest/").content.decode()
    assert f">{korean_name}<" in changelist and f">{item.predicted_style}<" not in changelist
    change = client.get(f"/admin/recommender/recommendationrequest/{item.pk}/change/")
    assert korean_name in change.content.decode()
    influencer_page = client.get(f"/admin/influencers/influencer/{influencer.pk}/change/")
    assert f"<td>{style_label('romantic')}</td>" in influencer_page.content.decode()
    model_page = client.get(f"/admin/recommender/modelversion/{active_model.pk}/change/")
    assert style_label(active_model.classes[0]) in model_page.content.decode()
    job = ImportJob.objects.create(source_name="posts.csv", format=ImportFormat.CRAWL)
    job_page = client.get(f"/admin/influencers/influencer/import/{job.pk}/").content.decode()
    assert "(crawl)" not in job_page and "크롤링 표" in job_page


def test_a_refused_form_lists_its_errors_first_each_linked_to_its_field(client):
    """Walkthrough (issue 18): on a phone a refused sign-up showed its errors below the fold."""
    response = client.post("/accounts/signup/", {"role": "consumer", "username": "a b"})
    html = response.content.decode()
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    form_start = html.index("data-signup")
    assert form_start < html.index('class="error-summary"') < html.index('id="id_username"')
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert "id_username" in links and "id_email" in links
    for field_id in links:
        assert f'id="{field_id}"' in html  # each link lands on its field
    login = client.post("/accounts/login/", {"username": "nobody", "password": "wrong-password"})
    assert 'class="error-summary"' in login.content.decode()  # a form-wide error is listed too


def test_the_history_shows_small_thumbnails_not_the_uploads(client, consumer, stranger):
    """Walkthrough (issue 18): each history row loaded the full upload to show it at 64 px."""
    from PIL import Image

    from recommender.constants import HISTORY_THUMBNAIL_PIXELS

    big = services.recommendation_create(
        user=consumer,
        image=SimpleUploadedFile(
            "big.jpg", jpeg_bytes(size=(1600, 1200)), content_type="image/jpeg"
        ),
    )
    client.force_login(consumer)
    html = client.get("/history/").content.decode()
    thumb_url = f"/recommendations/{big.pk}/thumbnail.jpg"
    img = re.search(rf'<img src="{re.escape(thumb_url)}"[^>]*>', html).group(0)
    assert 'width="64"' in img and 'height="64"' in img
    assert big.image.name not in html
    thumb = client.get(thumb_url)
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    body = b"".join(thumb.streaming_content) if thumb.streaming else thumb.content
    with Image.open(io.BytesIO(body)) as image:
        assert max(image.size) == HISTORY_THUMBNAIL_PIXELS and image.size[0] > image.size[1]
    assert len(body) < big.image.size / 4
    # Made once: the next page view is served from the cache, without reading the upload again.
    from django.core.files.storage import default_storage

    # With the cache (Redis) down a thumbnail is still made, as without a cache.
    from django.test import override_settings

    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=unreachable):
        assert client.get(thumb_url).status_code == 200
    default_storage.delete(big.image.name)
    assert client.get(thumb_url).content == body
    client.force_login(stranger)
    assert client.get(thumb_url).status_code == 404
