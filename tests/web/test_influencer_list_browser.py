"""The influencer list's filters and saved searches in a real browser, at 360 px and 1280 px, in
Korean and English, with the Content-Security-Policy on and axe-core's checks."""

import pytest
from django.conf import settings

from influencers.models import SavedSearch
from tests.factories import BrandFactory
from tests.web.conftest import CHROMIUM, DESKTOP, Browsing
from tests.web.test_browser_pages import log_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]


def shown_handles(visit: Browsing) -> list[str]:
    return visit.page.eval_on_selector_all(
        ".influencer-tile .handle", "els => els.map(e => e.textContent.trim())"
    )


def test_a_brand_filters_sorts_saves_and_reopens_a_search(live_server, browser, catalogue):
    brand = BrandFactory(username="filterbrand")
    visit = Browsing(browser, live_server.url, "list-filters")
    log_in(visit, brand.username)
    page = visit.page
    visit.goto("/influencers/", "influencers")
    visit.check("list-filters-closed")
    # On a phone the less common filters wait behind "More filters".
    assert not page.is_visible("#id_min_followers")
    page.click(".more-filters summary")
    page.fill("#id_min_followers", "5002")
    page.select_option("#id_gender", "F")
    page.select_option("#id_sort", "followers")
    visit.check("list-filters-open")
    page.click(".influencer-filters button[type=submit]")
    page.wait_for_load_state("load")
    # The filters live in the address: the search can be shared as it is.
    assert "min_followers=5002" in page.url and "sort=followers" in page.url
    assert shown_handles(visit) == ["@e2e_f_classic", "@e2e_f_modern", "@e2e_f_street"]
    assert page.is_visible("#id_min_followers")  # used filters keep the section open
    visit.check("list-filtered")

    page.fill("#id_name", "여성 5천+")
    page.click(".save-search button[type=submit]")
    page.wait_for_load_state("load")
    saved = SavedSearch.objects.get(user=brand)
    assert saved.query == "gender=F&min_followers=5002&sort=followers"
    assert "여성 5천+" in page.inner_text(".saved-searches")

    visit.goto("/influencers/saved-searches/", "saved-searches")
    visit.check("saved-searches")
    visit.goto("/influencers/", "influencers")
    page.click("text=여성 5천+")
    page.wait_for_load_state("load")
    assert shown_handles(visit) == ["@e2e_f_classic", "@e2e_f_modern", "@e2e_f_street"]

    visit.goto("/influencers/saved-searches/", "saved-searches")
    page.click(".saved-list button[type=submit]")
    page.wait_for_load_state("load")
    assert not SavedSearch.objects.exists()
    assert visit.problems == []
    visit.close()


def test_the_english_list_with_a_bad_filter_says_what_it_left_out(live_server, browser, catalogue):
    visit = Browsing(browser, live_server.url, "list-filters-en")
    visit.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    visit.goto("/influencers/?min_engagement=lots&style=street&sort=recent", "bad", status=400)
    page = visit.page
    assert "Engagement from (%)" in page.inner_text("[role=alert]")
    assert shown_handles(visit)[0].startswith("@e2e_")
    # A search with a filter left out is not offered for saving; a good one is.
    assert "Log in to save this search" not in page.inner_text("main")
    visit.goto("/influencers/?style=street&sort=recent", "good")
    assert "Log in to save this search" in page.inner_text("main")
    # Every card links to the account on Instagram, in a new tab, without an opener.
    link = page.locator(".instagram-link").first
    assert link.get_attribute("href") == "https://www.instagram.com/e2e_f_street/"
    assert link.get_attribute("rel") == "noopener noreferrer"
    page.set_viewport_size(DESKTOP)
    visit.check("list-english")
    assert visit.problems == []
    visit.close()
