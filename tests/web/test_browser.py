"""End-to-end in a real browser: Playwright driving Debian's chromium against a live server.

A screenshot of every page visited goes to test-artifacts/; any JavaScript console error or failed
request fails the test.
"""

import pytest

from tests.factories import STRONG_PASSWORD
from tests.web.conftest import ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed (.ci/run installs it)",
    ),
]


class Visit:
    """A page that records console errors and failed requests and screenshots each step."""

    def __init__(self, browser, base_url, name):
        self.page = browser.new_page(viewport={"width": 390, "height": 844})
        self.base_url = base_url
        self.name = name
        self.problems = []
        self.step = 0
        self.page.on(
            "console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}")
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        # A load the browser aborts because the test navigates on is not a failed request.
        self.page.on(
            "requestfailed",
            lambda r: (
                r.failure != "net::ERR_ABORTED"
                and self.problems.append(f"failed: {r.url} ({r.failure})")
            ),
        )
        self.page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        )

    def shot(self, label):
        self.step += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png"), full_page=True
        )

    def goto(self, path, label):
        self.page.goto(self.base_url + path)
        self.shot(label)


def sign_up(visit, role, username):
    page = visit.page
    visit.goto("/accounts/signup/", "signup")
    page.check(f"input[name=role][value={role}]")
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.com")
    page.fill("#id_password1", STRONG_PASSWORD)
    page.fill("#id_password2", STRONG_PASSWORD)
    if role == "consumer":
        page.select_option("#id_gender", "F")
        page.select_option("#id_body_size", "M")
    else:
        page.fill("#id_brand_name", "테스트 브랜드")
    page.click("button[type=submit]")
    page.wait_for_url(visit.base_url + "/")
    visit.shot("home")


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
    visit.shot("result")
    first_handle = cards.first.locator("header a").inner_text()
    cards.first.locator("header a").click()
    page.wait_for_selector("h1")
    assert first_handle in page.locator("h1").inner_text()
    assert page.locator(".feed figure").count() == 3
    visit.shot("influencer")
    visit.goto("/history/", "history")
    assert page.locator(".history li a").count() == 1


def test_a_consumer_signs_up_uploads_a_photo_and_finds_it_in_the_history(
    live_server, browser, catalogue, photos
):
    visit = Visit(browser, live_server.url, "consumer")
    sign_up(visit, "consumer", "e2econsumer")
    upload_and_follow(visit, photos[0], "consumer", "F")
    assert visit.problems == []


def test_a_brand_does_the_same_in_brand_mode(live_server, browser, catalogue, photos):
    visit = Visit(browser, live_server.url, "brand")
    sign_up(visit, "brand", "e2ebrand")
    upload_and_follow(visit, photos[1], "brand", "M")
    assert "제조사" in visit.page.locator(".history li").first.inner_text()  # Korean by default
    assert visit.problems == []
