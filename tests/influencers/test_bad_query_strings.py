"""Query strings and URLs as an attacker or a broken link sends them: a clear 400 or 404, never a
server error. A NUL byte reached PostgreSQL raw and answered 500 ("text fields cannot contain
NUL"); SQLite took it silently, so these also run in the PostgreSQL suite."""

import pytest

from tests.factories import InfluencerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("param", ["q", "style", "gender", "size"])
def test_a_nul_byte_or_unknown_value_in_a_list_filter_is_named_and_left_out(client, param):
    InfluencerFactory(handle="still_listed")
    for value in ("\x00", "x\x00y", "no-such-value"):
        if param == "q" and value == "no-such-value":
            continue  # any text is a valid search
        response = client.get("/influencers/", {param: value})
        assert response.status_code == 400, (param, value)
        body = response.content.decode()
        assert 'role="alert"' in body
        assert "@still_listed" in body  # the bad filter is left out, the page still lists


def test_a_search_longer_than_the_limit_is_refused_on_the_page_and_the_api(client):
    assert client.get("/influencers/", {"q": "가" * 101}).status_code == 400
    client.force_login(UserFactory())
    assert client.get("/api/v1/influencers/", {"q": "가" * 101}).status_code == 400


def test_a_search_of_more_words_than_the_limit_is_refused_not_cut_short(client, settings):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from influencers.constants import SEARCH_MAX_WORDS
    from influencers.models import Influencer

    InfluencerFactory(handle="still_listed")
    # '#a', '@a' and 'a' are one word, as the search matches them: at the limit is fine.
    at_limit = " ".join(f"#w{n} w{n}" for n in range(SEARCH_MAX_WORDS))
    past_limit = at_limit + " w_extra"
    assert client.get("/influencers/", {"q": at_limit}).status_code == 200
    settings.LANGUAGE_CODE = "en"
    response = client.get("/influencers/", {"q": past_limit})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Search for at most 8 words; this search has 9." in body
    assert "@still_listed" in body  # the bad filter is left out, the page still lists
    client.force_login(UserFactory())
    assert client.get("/api/v1/influencers/", {"q": at_limit}).status_code == 200
    settings.LANGUAGE_CODE = "ko"
    response = client.get("/api/v1/influencers/", {"q": past_limit})
    assert response.status_code == 400
    assert "검색어는 8개까지 쓸 수 있습니다. 이 검색에는 9개가 있습니다." in str(response.json())
    # The handle validator names Instagram's limit in the reader's language.
    for language, message in [
        ("en", "Letters, digits, '.' and '_' only, at most 30 characters, as on Instagram."),
        ("ko", "인스타그램처럼 영문자, 숫자, '.', '_'만 30자까지 쓸 수 있습니다."),
    ]:
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                Influencer(handle="a" * 31, gender="F", body_size="S").full_clean()
            assert refused.value.message_dict["handle"] == [message]


def test_good_filters_still_filter(client):
    InfluencerFactory(handle="woman_m", gender="F", body_size="M")
    InfluencerFactory(handle="man_l", gender="M", body_size="L")
    body = client.get("/influencers/", {"gender": "M", "size": "L"}).content.decode()
    assert "@man_l" in body and "@woman_m" not in body


@pytest.mark.parametrize(
    "url",
    [
        "/influencers/%00/",
        "/influencers/%00/posts/1/",
        "/influencers/bad%2Fhandle/",
        "/api/v1/influencers/%00/",
        "/api/v1/influencers/%00/posts/",
        "/api/v1/influencers/%00/lookalikes/",
    ],
)
def test_a_handle_no_instagram_account_can_have_is_a_404(client, url):
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_lookalike_filters_with_a_nul_byte_are_ignored_on_the_influencer_page(client):
    influencer = InfluencerFactory(handle="detail_page")
    response = client.get(f"/influencers/{influencer.handle}/", {"gender": "\x00", "size": "?"})
    assert response.status_code == 200


def test_healthz_answers_a_head_probe(client):
    assert client.head("/healthz").status_code in (200, 503)
    assert client.post("/healthz").status_code == 405


def test_a_search_naming_a_style_offers_that_style_in_either_language(client):
    """Walkthrough: "romantic" found nobody in the English UI although the menu lists Romantic."""
    InfluencerFactory(handle="styled_one")
    for words in ("romantic", "Romantic", "로맨틱", "#로맨틱", "@romantic"):
        html = client.get("/influencers/", {"q": words}).content.decode()
        assert 'href="?style=romantic"' in html, words
    html = client.get("/influencers/", {"q": "romantic", "style": "street"}).content.decode()
    assert 'href="?style=romantic"' not in html
    assert 'href="?style=' not in client.get("/influencers/", {"q": "ootd"}).content.decode()
