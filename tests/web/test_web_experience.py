"""What a visitor meets around the pages: our own error pages, the security policy, the API's 401,
translated labels, search over captions, the post viewer's page. (The browser tests show the rest.)"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import path
from django.utils import translation
from rest_framework.test import APIClient

from common.errors import ApplicationError, RateLimitedError
from config import urls as config_urls
from influencers.models import Influencer, Post
from influencers.selectors import caption_snippet, influencer_list, post_instagram_url
from tests.conftest import jpeg_bytes
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _raises_rate_limited(request):
    raise RateLimitedError("잠시 뒤 다시 시도해 주세요.", retry_after=120)


def _raises_application_error(request):
    raise ApplicationError("이 요청은 처리할 수 없습니다.", code="nope")


def _raises_crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("limited/", _raises_rate_limited),
    path("refused/", _raises_application_error),
    path("crash/", _raises_crash),
    *config_urls.urlpatterns,
]


def korean(client):
    client.cookies.pop("django_language", None)
    return client


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(
    "language, title",
    [(korean, "페이지를 찾을 수 없습니다"), (english, "Page not found")],
)
def test_a_missing_page_is_our_own_404_in_the_chosen_language(client, language, title):
    response = language(client).get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert title in html and 'class="site-header"' in html
    assert "URLconf" not in html and "urlpatterns" not in html.lower()


def test_a_stranger_gets_the_same_404_as_for_a_missing_id(client, brand):
    from campaigns.services import campaign_create

    campaign = campaign_create(user=brand, name="x", target_gender="F", target_body_size="M")
    client.force_login(UserFactory(role="brand"))
    stranger = client.get(f"/campaigns/{campaign.pk}/")
    missing = client.get("/campaigns/999999/")
    assert stranger.status_code == missing.status_code == 404
    assert without_per_request_parts(stranger.content) == without_per_request_parts(missing.content)


def without_per_request_parts(content: bytes) -> bytes:
    """A page without its CSRF token (masked afresh in every response) and the address it was
    asked at (the language menu's `next`): what is left must not tell two answers apart."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)
    return re.sub(rb'name="next" type="hidden" value="[^"]*"', b"", content)


@pytest.mark.parametrize("url", ["/no/such/page/", "/campaigns/"])
def test_error_pages_keep_the_language_menu_and_one_title(client, consumer, url):
    """Walkthrough (issue 18): the 404 page had no language menu; the 403 page's title was
    "스타일매치 · 스타일매치"."""
    client.force_login(consumer)
    response = english(client).get(url)
    assert response.status_code in (403, 404)
    html = response.content.decode()
    assert 'name="language"' in html and 'action="/i18n/setlang/"' in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.count("StyleMatch") == 1, title
    switched = client.post("/i18n/setlang/", {"language": "ko", "next": url})
    assert switched.status_code == 302 and client.cookies["django_language"].value == "ko"


def test_every_page_template_names_its_page_in_the_title():
    """A template without its own title would show "StyleMatch · StyleMatch"."""
    root = Path(settings.BASE_DIR) / "templates"
    pages = [p for p in root.rglob("*.html") if '{% extends "base.html" %}' in p.read_text()]
    assert pages
    assert [str(p) for p in pages if "{% block title %}" not in p.read_text()] == []


def test_a_consumer_on_a_brand_page_gets_a_403_page_that_says_why(client, consumer):
    client.force_login(consumer)
    response = client.get("/campaigns/")
    assert response.status_code == 403
    assert "제조사" in response.content.decode()


@pytest.mark.urls("tests.web.test_web_experience")
def test_a_rate_limited_page_is_a_429_with_retry_after_in_korean_and_english(client):
    response = korean(client).get("/limited/")
    assert response.status_code == 429 and response["Retry-After"] == "120"
    html = response.content.decode()
    assert "요청이 너무 많습니다" in html and "잠시 뒤 다시 시도해 주세요." in html
    assert "Too many requests" in english(client).get("/limited/").content.decode()


@pytest.mark.urls("tests.web.test_web_experience")
def test_an_application_error_on_a_page_is_a_400_page_with_its_message(client):
    response = client.get("/refused/")
    assert response.status_code == 400
    assert "이 요청은 처리할 수 없습니다." in response.content.decode()


@pytest.mark.urls("tests.web.test_web_experience")
def test_a_crash_is_our_own_500_page(settings):
    client = Client(raise_request_exception=False)
    response = client.get("/crash/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "문제가 생겼습니다" in html and "boom" not in html and "Traceback" not in html


def test_a_csrf_failure_is_our_own_page(consumer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(consumer)
    response = client.post("/saved/add/", {"influencer_id": 1})
    assert response.status_code == 403
    assert "입력 양식이 만료되었습니다" in response.content.decode()


def test_html_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get("/")
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handler
    assert ' style="' not in html


def test_no_template_holds_an_inline_script_handler_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son(change|click|submit|load|input)=", text), template
        assert ' style="' not in text, template
        # Django's {# #} comments are one line only; a longer one would show on the page.
        assert all("#}" in line for line in text.splitlines() if "{#" in line), template


def test_an_anonymous_api_call_gets_401_with_www_authenticate():
    response = APIClient().get("/api/v1/influencers/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_admin_names_every_model_and_app_in_korean_and_english():
    seen = set()
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        with translation.override("ko"):
            names = [str(meta.verbose_name), str(meta.verbose_name_plural)]
            names.append(str(meta.app_config.verbose_name))
            for name in model_admin.list_display:
                if isinstance(name, str) and name not in ("__str__", "pk"):
                    try:
                        names.append(str(meta.get_field(name).verbose_name))
                    except FieldDoesNotExist:
                        pass  # an admin method: its description is checked by makemessages
            for name in names:
                assert HANGUL.search(name), f"{model.__name__}: {name!r} is not in Korean"
        with translation.override("en"):
            plural = str(meta.verbose_name_plural)
            assert not HANGUL.search(plural)
            seen.add(plural)
    assert "shortlist entries" in seen and "Shortlist entrys" not in seen


def test_the_admin_loads_the_vendored_korean_font(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    html = client.get("/admin/").content.decode()
    assert "/static/css/admin.css" in html and "스타일매치 관리" in html
    css = b"".join(client.get("/static/css/admin.css").streaming_content).decode()
    assert "NanumGothic-Regular.woff2" in css
    assert client.get("/static/fonts/NanumGothic-Regular.woff2").status_code == 200


def test_the_english_ui_shows_english_style_names(client):
    influencer = InfluencerFactory(handle="en_styles")
    classified_post(influencer, "romantic", 10)
    from influencers.services.profiles import influencer_style_profile_rebuild

    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    english(client)
    html = client.get("/influencers/").content.decode()
    assert "Romantic" in html and "로맨틱" not in html
    html = client.get("/influencers/en_styles/").content.decode()
    assert "Romantic" in html and "로맨틱" not in html


# Search over captions ----------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    one = InfluencerFactory(handle="cafe_lover")
    classified_post(one, "romantic", 10, caption="주말엔 #성수카페 투어 원피스 코디")
    classified_post(one, "romantic", 20, caption="오늘도 #성수카페 에서 라떼")
    two = InfluencerFactory(handle="hiker")
    classified_post(two, "sporty", 30, caption="등산 가는 날 #성수카페 는 다음에 <b>꼭</b>")
    three = InfluencerFactory(handle="성수_official")  # the handle itself matches
    classified_post(three, "modern", 5, caption="새 시즌 룩북")
    InfluencerFactory(handle="nobody")
    return one, two, three


def test_search_finds_any_caption_word_or_hashtag_most_followed_first(catalogue):
    one, two, three = catalogue
    Influencer.objects.filter(pk=one.pk).update(followers=5_000)
    Influencer.objects.filter(pk=two.pk).update(followers=90_000)
    Influencer.objects.filter(pk=three.pk).update(followers=None)  # unknown: last
    found = list(influencer_list(filters={"q": "#성수카페"}))
    assert [i.handle for i in found] == ["hiker", "cafe_lover"]
    assert [i.caption_hits for i in found] == [1, 2]
    found = [i.handle for i in influencer_list(filters={"q": "성수"})]  # a noun inside a hashtag
    assert found == ["hiker", "cafe_lover", "성수_official"]
    assert list(influencer_list(filters={"q": "라떼"}))[0].handle == "cafe_lover"
    assert list(influencer_list(filters={"q": "100%_"})) == []  # LIKE wildcards are literal


def test_the_snippet_is_escaped_and_highlights_the_match(client, catalogue):
    html = client.get("/influencers/", {"q": "#성수카페"}).content.decode()
    assert "<mark>성수카페</mark>" in html
    assert "&lt;b&gt;꼭&lt;/b&gt;" in html and "<b>꼭</b>" not in html
    assert "일치하는 게시물 2개" in html


def test_snippets_are_bounded_and_marked_at_both_ends():
    caption = "가" * 100 + " 원피스 " + "나" * 100
    pieces = caption_snippet(caption, "원피스", context=10)
    assert [p["match"] for p in pieces] == [False, True, False]
    assert pieces[0]["text"].startswith("…") and pieces[2]["text"].endswith("…")
    assert pieces[1]["text"] == "원피스"


def test_every_word_of_a_search_must_match_in_any_order(client, catalogue):
    """Walkthrough (issue 18): "성수카페 원피스" found nobody, though a caption holds both."""
    assert [i.handle for i in influencer_list(filters={"q": "원피스 #성수카페"})] == ["cafe_lover"]
    assert [i.handle for i in influencer_list(filters={"q": "#성수카페   원피스"})] == [
        "cafe_lover"
    ]
    # Both words in one caption: the hiker's "#성수카페" caption lacks "원피스".
    assert [i.caption_hits for i in influencer_list(filters={"q": "성수카페 원피스"})] == [1]
    assert list(influencer_list(filters={"q": "원피스 등산"})) == []
    # Every word in the handle, name or keywords finds the account too.
    assert [i.handle for i in influencer_list(filters={"q": "cafe lover"})] == ["cafe_lover"]
    html = client.get("/influencers/", {"q": "원피스 성수카페"}).content.decode()
    assert "<mark>성수카페</mark>" in html and "<mark>원피스</mark>" in html


def test_a_snippet_marks_every_word_of_the_search():
    pieces = caption_snippet("주말엔 #성수카페 투어 원피스 코디", "원피스 성수카페")
    assert [p["text"] for p in pieces if p["match"]] == ["성수카페", "원피스"]
    assert "".join(p["text"] for p in pieces) == "주말엔 #성수카페 투어 원피스 코디"


def test_the_api_has_the_same_search_with_its_snippet(catalogue):
    api = APIClient()
    api.force_authenticate(UserFactory())
    body = api.get("/api/v1/influencers/", {"q": "성수카페"}).json()
    assert [r["handle"] for r in body["results"]] == ["cafe_lover", "hiker"]
    first = body["results"][0]
    assert first["matching_posts"] == 2
    assert {"text": "성수카페", "match": True} in first["snippet"]


def test_the_list_shows_a_picture_for_each_influencer(client):
    influencer = InfluencerFactory(handle="with_post_picture")
    post = classified_post(influencer, "romantic", 10, image="")
    post.image.save("p.jpg", SimpleUploadedFile("p.jpg", jpeg_bytes()))
    InfluencerFactory(handle="without_pictures")
    html = client.get("/influencers/").content.decode()
    tile = re.search(
        r'<a class="tile influencer-tile" href="/influencers/with_post_picture/">.*?</a>',
        html,
        re.S,
    )
    assert f'src="/media/{post.image.name}"' in tile.group(0)
    assert 'alt="@with_post_picture 님의 사진"' in tile.group(0)


def test_pagination_keeps_the_search(client):
    for n in range(30):
        person = InfluencerFactory(handle=f"page_{n:02d}")
        classified_post(person, "romantic", 1, caption="#페이지 테스트")
    html = client.get("/influencers/", {"q": "#페이지"}).content.decode()
    assert 'href="?q=%23%ED%8E%98%EC%9D%B4%EC%A7%80&amp;page=2"' in html


# The post viewer's page ----------------------------------------------------------------------------


def test_a_post_opens_as_a_page_and_as_the_viewers_fragment(client):
    influencer = InfluencerFactory(handle="viewer_test")
    post = classified_post(influencer, "romantic", 1234, caption="봄 원피스 #데이트룩")
    Post.objects.filter(pk=post.pk).update(instagram_id="CqX1a2b3C4d")
    page = client.get(f"/influencers/viewer_test/posts/{post.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    assert "봄 원피스 #데이트룩" in html and "1,234" in html
    assert 'href="https://www.instagram.com/p/CqX1a2b3C4d/"' in html
    fragment = client.get(
        f"/influencers/viewer_test/posts/{post.pk}/", headers={"X-Requested-With": "fetch"}
    )
    assert "<html" not in fragment.content.decode() and "데이트룩" in fragment.content.decode()
    assert "X-Requested-With" in fragment["Vary"]
    assert client.get(f"/influencers/someone_else/posts/{post.pk}/").status_code == 404


@pytest.mark.parametrize(
    "instagram_id, demo, linked",
    [
        ("CqX1a2b3C4d", False, True),
        ("B-_abc12345", False, True),
        ("17895695668004550", False, False),  # a Graph API media id, not a shortcode
        ("a1", False, False),
        ("demo00012", True, False),  # fictional
        ("../../x", False, False),
    ],
)
def test_an_instagram_link_is_built_only_from_a_shortcode(instagram_id, demo, linked):
    influencer = InfluencerFactory(is_demo=demo)
    post = classified_post(influencer, "romantic", 1)
    post.instagram_id = instagram_id
    assert bool(post_instagram_url(post)) is linked
