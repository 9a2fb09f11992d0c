"""The influencer page's follower history in a real browser: a server-drawn SVG line and its
table, at 360 px and 1280 px, with the Content-Security-Policy on and no axe violation."""

import datetime as dt

import pytest
from django.utils import timezone

from influencers.models import FollowerSnapshot
from tests.factories import InfluencerFactory
from tests.web.conftest import CHROMIUM, Browsing

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]


def test_the_follower_chart_and_its_table_read_on_a_phone_without_script(live_server, browser):
    influencer = InfluencerFactory(handle="chart_look", followers=15_400)
    now = timezone.now()
    for days_ago, followers in ((80, 9_800), (45, 12_000), (28, 13_100), (14, 14_200), (1, 15_400)):
        FollowerSnapshot.objects.create(
            influencer=influencer,
            taken_at=now - dt.timedelta(days=days_ago),
            followers=followers,
            average_likes=410.0,
            engagement_rate=0.0266,
        )
    for javascript in (True, False):
        visit = Browsing(browser, live_server.url, f"growth-js-{javascript}", javascript=javascript)
        visit.goto("/influencers/chart_look/", "influencer-growth")
        visit.check("influencer-growth", axe=javascript)  # axe runs as a script
        charts = visit.page.locator("svg.growth-chart")
        assert charts.count() == 2
        assert charts.first.get_attribute("role") == "img"
        assert visit.page.locator("svg.growth-chart polyline").first.bounding_box()["width"] > 100
        rows = visit.page.locator("section[aria-labelledby=followers-title] table").nth(1)
        assert rows.locator("tbody tr").count() == 5  # 90 days: every refresh
        assert visit.problems == []
        visit.close()
