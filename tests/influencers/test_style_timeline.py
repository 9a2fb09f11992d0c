"""Style over time (issue 17): each style's share by month, on the influencer page and the API."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from influencers.selectors import influencer_style_timeline
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


def month(year, number, day=15):
    return datetime(year, number, day, 12, tzinfo=SEOUL)


@pytest.fixture
def moving():
    """An influencer moving from romantic to street over 14 months (one month without posts)."""
    influencer = InfluencerFactory(handle="moving")
    for i in range(14):
        if i == 5:
            continue  # 2025-06: no posts
        posted = datetime(2025 + (i // 12), i % 12 + 1, 10, tzinfo=SEOUL)
        street = min(i, 4)
        for n in range(4):
            style = "street" if n < street else "romantic"
            classified_post(influencer, style, 10, posted_at=posted + timedelta(hours=n))
    classified_post(influencer, "modern", 10, posted_at=month(2026, 2))
    # 00:30 on 1 February in Seoul is still January in UTC: months are Seoul's
    classified_post(influencer, "punk", 10, posted_at=datetime(2026, 2, 1, 0, 30, tzinfo=SEOUL))
    classified_post(influencer, "modern", 10)  # no date: not in the series
    return influencer_style_profile_rebuild(influencer_id=influencer.pk)


def test_the_series_holds_the_last_twelve_months_with_posts_oldest_first(moving):
    timeline = influencer_style_timeline(influencer=moving)
    months = [row["month"] for row in timeline["months"]]
    assert len(months) == 12 and months == sorted(months)
    # 13 months have posts (2025-01 to 2026-02 but 2025-06): the oldest one drops out
    assert months[0] == "2025-02" and months[-1] == "2026-02" and "2025-06" not in months
    first, last = timeline["months"][0], timeline["months"][-1]
    assert {s["style"]: s["share"] for s in first["styles"]} == {"street": 0.25, "romantic": 0.75}
    assert last["posts"] == 6
    assert {s["style"]: s["posts"] for s in last["styles"]} == {"street": 4, "modern": 1, "punk": 1}
    assert timeline["columns"][0] == "street"
    for row in timeline["months"]:
        assert sum(row["columns"]) + row["rest"] == pytest.approx(1, abs=1e-3)
        assert sum(s["share"] for s in row["styles"]) == pytest.approx(1, abs=1e-3)


def test_the_page_shows_the_series_as_a_table_and_the_api_the_same_series(client, moving):
    client.cookies["django_language"] = "ko"
    page = client.get(f"/influencers/{moving.handle}/").content.decode()
    assert '<table class="timeline">' in page and "월별 스타일 변화" in page
    assert '<th scope="row">2026-02</th>' in page and "2025-01" not in page
    assert "style=" not in page.split('<table class="timeline">')[1].split("</table>")[0]
    api = APIClient()
    api.force_authenticate(UserFactory())
    body = api.get(f"/api/v1/influencers/{moving.handle}/").json()
    assert body["style_timeline"] == influencer_style_timeline(influencer=moving)


def test_an_influencer_without_dated_posts_has_an_empty_series(client):
    influencer = InfluencerFactory(handle="undated")
    classified_post(influencer, "street", 1)
    assert influencer_style_timeline(influencer=influencer) == {"columns": [], "months": []}
    assert (
        "아직 날짜가 있는 분류된 게시물이 없습니다"
        in client.get("/influencers/undated/").content.decode()
    )
