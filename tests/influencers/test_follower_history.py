"""Follower history: every refresh keeps a snapshot; the page, the API and the export show growth."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from campaigns import services as campaign_services
from influencers.history import influencer_follower_history, influencers_follower_growth
from influencers.models import FollowerSnapshot, Influencer
from tests.factories import InfluencerFactory
from tests.influencers.graph_helpers import refresh

pytestmark = pytest.mark.django_db


def _snapshots(influencer, counts_by_days_ago: dict[int, int]):
    now = timezone.now()
    for days_ago, followers in counts_by_days_ago.items():
        FollowerSnapshot.objects.create(
            influencer=influencer,
            taken_at=now - dt.timedelta(days=days_ago),
            followers=followers,
            engagement_rate=0.0235,
            average_likes=47.0,
        )


def test_growth_is_the_change_from_the_first_refresh_in_the_window_to_the_last():
    influencer = InfluencerFactory()
    _snapshots(influencer, {120: 500, 60: 800, 25: 1000, 10: 1100, 1: 1250})
    growth = influencers_follower_growth(influencer_ids=[influencer.pk], days=30)[influencer.pk]
    assert (growth["start"], growth["end"], growth["change"]) == (1000, 1250, 250)
    assert growth["change_percent"] == pytest.approx(0.25)
    assert (
        influencers_follower_growth(influencer_ids=[influencer.pk], days=90)[influencer.pk]["start"]
        == 800
    )


def test_an_influencer_never_refreshed_has_no_growth_rather_than_zero():
    influencer = InfluencerFactory()
    assert influencers_follower_growth(influencer_ids=[influencer.pk], days=30) == {}
    history = influencer_follower_history(influencer=influencer, days=30)
    assert history["points"] == [] and history["growth"] is None


def test_several_refreshes_in_one_day_make_one_point_the_days_last():
    influencer = InfluencerFactory()
    # Noon in the site's time zone: run within 30 minutes after midnight, the three would straddle
    # two days (the test once failed at 00:20 in Seoul).
    now = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    for minutes, followers in ((30, 900), (20, 950), (10, 990)):
        FollowerSnapshot.objects.create(
            influencer=influencer, taken_at=now - dt.timedelta(minutes=minutes), followers=followers
        )
    points = influencer_follower_history(influencer=influencer, days=30, now=now)["points"]
    assert [p["followers"] for p in points] == [990]


def test_the_page_draws_the_growth_as_svg_and_lists_it_in_a_table(client):
    influencer = InfluencerFactory(handle="growing")
    _snapshots(influencer, {20: 1000, 5: 1200})
    client.cookies["django_language"] = "en"
    response = client.get("/influencers/growing/")
    page = response.content.decode()
    assert "Followers over time" in page
    assert page.count('<svg class="growth-chart"') == 2  # 30 and 90 days
    assert '<polyline fill="none"' in page and "<script>" not in page
    assert "Change: 200 followers (+20.0%)" in page
    assert "<td>1,200</td>" in page and "2.35%" in page  # the engagement at each point


def test_the_page_says_nothing_of_followers_over_time_before_any_refresh(client):
    InfluencerFactory(handle="static_one")
    assert "growth-chart" not in client.get("/influencers/static_one/").content.decode()


def test_the_api_gives_the_history_of_the_last_30_and_90_days(consumer):
    influencer = InfluencerFactory(handle="api_growth")
    _snapshots(influencer, {60: 700, 20: 1000, 2: 1100})
    api = APIClient()
    api.force_authenticate(consumer)
    body = api.get("/api/v1/influencers/api_growth/").json()
    thirty, ninety = body["follower_history"]
    assert (thirty["days"], ninety["days"]) == (30, 90)
    assert [p["followers"] for p in thirty["points"]] == [1000, 1100]
    assert thirty["growth"]["change"] == 100 and ninety["growth"]["change"] == 400
    assert thirty["points"][0]["engagement_rate"] == pytest.approx(0.0235)


def test_each_refresh_adds_a_point_to_the_history(graph):
    account = graph.add_account("two_refreshes", posts=1, followers=100)
    refresh(["two_refreshes"])
    account["profile"]["followers_count"] = 130
    refresh(["two_refreshes"])
    influencer = Influencer.objects.get(handle="two_refreshes")
    growth = influencers_follower_growth(influencer_ids=[influencer.pk], days=30)[influencer.pk]
    assert (growth["start"], growth["end"]) == (100, 130)


def test_the_campaign_export_gains_followers_and_their_growth(brand):
    influencer = InfluencerFactory(handle="exported", followers=1100)
    _snapshots(influencer, {20: 1000, 1: 1100})
    never = InfluencerFactory(handle="never_refreshed", followers=None)
    campaign = campaign_services.campaign_create(
        user=brand, name="봄 캠페인", target_gender="F", target_body_size="M"
    )
    for person in (influencer, never):
        campaign_services.shortlist_add(campaign=campaign, influencer_id=person.pk, user=brand)
    with translation.override("en"):
        data = campaign_services.shortlist_export_csv(campaign=campaign)
    rows = {
        r["Instagram handle"]: r
        for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    }
    assert rows["exported"]["Followers"] == "1100"
    assert rows["exported"]["Follower growth (30 days)"] == "10.00%"
    assert (
        rows["never_refreshed"]["Followers"]
        == rows["never_refreshed"]["Follower growth (30 days)"]
        == ""
    )
