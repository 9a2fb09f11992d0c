"""The influencer list's filters and sort orders: one FilterSet for the page, the API and the
selector (influencers/filters.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from influencers.models import Influencer
from influencers.selectors import influencer_list
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db


def _influencer(handle, *, styles, followers=None, likes=10, sponsored=0.0, days_ago=1, **extra):
    influencer = InfluencerFactory(handle=handle, followers=followers, **extra)
    for style in styles:
        classified_post(
            influencer, style, likes, posted_at=timezone.now() - timedelta(days=days_ago)
        )
    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    Influencer.objects.filter(pk=influencer.pk).update(sponsored_share=sponsored)
    return influencer


@pytest.fixture
def catalogue():
    # big: 4 posts, 3 romantic (75 %), 100 likes each over 10,000 followers = 1 % engagement
    _influencer("big", styles=["romantic"] * 3 + ["street"], followers=10_000, likes=100)
    # mid: 2 posts, 1 romantic (50 %), 50 likes over 1,000 = 5 %
    _influencer(
        "mid", styles=["romantic", "street"], followers=1_000, likes=50, sponsored=0.5, days_ago=40
    )
    # small: street only, 20 likes over 100 = 20 %, male
    _influencer(
        "small", styles=["street"], followers=100, likes=20, gender="M", body_size="L", days_ago=2
    )
    # waiting: gender and size unknown (needs curation), no followers known
    _influencer("waiting", styles=["romantic"], gender="", body_size="", days_ago=400)


def handles(filters) -> list[str]:
    return [i.handle for i in influencer_list(filters=filters)]


def test_followers_from_and_to_bound_the_list(catalogue):
    assert handles({"min_followers": "500"}) == ["big", "mid"]
    assert handles({"min_followers": "500", "max_followers": "5000"}) == ["mid"]


def test_engagement_and_sponsored_share_are_percentages(catalogue):
    assert handles({"min_engagement": "4"}) == ["mid", "small"]
    assert handles({"min_engagement": "4", "max_engagement": "10"}) == ["mid"]
    assert handles({"min_sponsored": "40"}) == ["mid"]
    assert handles({"max_sponsored": "10"}) == ["big", "small", "waiting"]


def test_a_style_with_a_minimum_share_of_posts(catalogue):
    # Without a share: the style is one of the influencer's representative styles.
    assert handles({"style": "romantic"}) == ["big", "mid", "waiting"]
    assert handles({"style": "romantic", "min_style_share": "60"}) == ["big", "waiting"]
    # A share of street: big 25 %, mid 50 %, small 100 %
    assert handles({"style": "street", "min_style_share": "50"}) == ["mid", "small"]
    assert handles({"style": "street", "min_style_share": "10"}) == ["big", "mid", "small"]


def test_gender_size_posted_within_and_curation(catalogue):
    assert handles({"gender": "M"}) == ["small"]
    assert handles({"size": "L"}) == ["small"]
    assert handles({"posted_within": "30"}) == ["big", "small"]
    assert handles({"posted_within": "60"}) == ["big", "mid", "small"]
    assert handles({"curation": "curated"}) == ["big", "mid", "small"]
    assert handles({"curation": "needs_curation"}) == ["waiting"]


def test_sort_orders(catalogue):
    assert handles({"sort": "followers"}) == ["big", "mid", "small", "waiting"]
    assert handles({"sort": "engagement"}) == ["small", "mid", "big", "waiting"]
    assert handles({"sort": "recent"}) == ["big", "small", "mid", "waiting"]
    # Share of the chosen style, then of each one's own main style without one.
    assert handles({"sort": "style_share", "style": "street", "min_style_share": "1"}) == [
        "small",
        "mid",
        "big",
    ]
    assert handles({"sort": "style_share"})[:2] == ["small", "waiting"]  # both 100 %


def test_the_api_takes_the_same_filters_and_refuses_bad_values(catalogue):
    api = APIClient()
    api.force_authenticate(UserFactory())
    body = api.get(
        "/api/v1/influencers/", {"min_followers": 500, "sort": "engagement", "min_engagement": 0.5}
    ).json()
    assert [r["handle"] for r in body["results"]] == ["mid", "big"]
    for bad in (
        {"min_engagement": "-1"},
        {"max_followers": "abc"},
        {"posted_within": "0"},
        {"sort": "likes"},
        {"curation": "maybe"},
        {"min_style_share": "101"},
    ):
        response = api.get("/api/v1/influencers/", bad)
        assert response.status_code == 400, bad
        assert list(response.json()) == list(bad)


def test_the_schema_lists_every_filter_of_the_filterset(client):
    from influencers.filters import InfluencerFilterSet

    client.force_login(UserFactory())
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/influencers/"]["get"]["parameters"]
    names = {p["name"] for p in parameters}
    assert set(InfluencerFilterSet.base_filters) <= names
    sort = next(p for p in parameters if p["name"] == "sort")
    assert sorted(sort["schema"]["enum"]) == ["engagement", "followers", "recent", "style_share"]


def test_the_page_keeps_the_filters_in_its_address_and_says_what_it_left_out(client, catalogue):
    page = client.get("/influencers/", {"min_followers": "500", "sort": "followers"})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("@big") < html.index("@mid") and "@small" not in html
    assert 'name="min_followers" value="500"' in html
    assert '<option value="followers" selected>' in html
    # The "more filters" part opens when one of its filters is used.
    assert '<details class="more-filters" open>' in html
    bad = client.get("/influencers/", {"min_followers": "many", "gender": "M"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "@small" in text and "@big" not in text  # the good filter still applies
    assert "이해할 수 없는 필터가 있어 빼고 보여 드립니다" in text
    assert "팔로워 최소" in text  # the filter named, in the page language
