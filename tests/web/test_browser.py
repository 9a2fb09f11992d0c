"""End-to-end in a real browser: Playwright driving Debian's chromium against a live server.

A screenshot of every page visited goes to test-artifacts/; any JavaScript console error or failed
request fails the test.
"""

import pytest

from tests.web.conftest import CHROMIUM, PHONE, Browsing, sign_up

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed (.ci/run installs it)",
    ),
]


def upload_and_follow(visit, photo, mode, gender):
    page = visit.page
    page.set_input_files("#id_image", str(photo))
    page.select_option("#id_mode", mode)
    page.select_option("#id_gender", gender)
    page.select_option("#id_body_size", "M")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector(".influencer-card", timeout=60_000)
    cards = page.locator(".influencer-card")
    assert cards.count() == 3
    assert page.locator(".model-badge").first.inner_text()
    visit.check("result", widths=(PHONE,), axe=False)
    first_handle = cards.first.locator("header a:not(.instagram-link)").inner_text()
    cards.first.locator("header a:not(.instagram-link)").click()
    page.wait_for_selector("h1")
    assert first_handle in page.locator("h1").inner_text()
    assert page.locator(".feed figure").count() == 3
    visit.check("influencer", widths=(PHONE,), axe=False)
    visit.goto("/history/", "history")
    visit.check("history", widths=(PHONE,), axe=False)
    assert page.locator(".history li a").count() == 1


def test_a_consumer_signs_up_uploads_a_photo_and_finds_it_in_the_history(
    live_server, browser, catalogue, photos
):
    visit = Browsing(browser, live_server.url, "e2e-consumer")
    sign_up(visit, "consumer", "e2econsumer")
    upload_and_follow(visit, photos[0], "consumer", "F")
    assert visit.problems == []


def test_a_brand_does_the_same_in_brand_mode(live_server, browser, catalogue, photos):
    visit = Browsing(browser, live_server.url, "e2e-brand")
    sign_up(visit, "brand", "e2ebrand")
    upload_and_follow(visit, photos[1], "brand", "M")
    assert "제조사" in visit.page.locator(".history li").first.inner_text()  # Korean by default
    assert visit.problems == []
