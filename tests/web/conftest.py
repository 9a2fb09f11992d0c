"""Browser-test fixtures: Debian's chromium through Playwright (never a downloaded browser), a small
catalogue with real photos, and a page wrapper that checks what only a browser shows: console
errors, Content-Security-Policy violations, sideways scrolling and axe-core accessibility."""

import json
import re
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from influencers.services.profiles import influencer_style_profile_rebuild
from influencers.services.summaries import influencer_summary_rebuild
from tests.factories import STRONG_PASSWORD, InfluencerFactory, classified_post

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
AXE = ROOT / "tests" / "tools" / "axe" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# Collects the Content-Security-Policy violations a page reports (the init script runs through the
# browser's debugging protocol, so the page's own policy does not block it).
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") +
    " at " + (e.sourceFile || "") + ":" + (e.lineNumber || 0));
});
"""


@pytest.fixture
def photos(shared_data):
    folder = shared_data / "clothing-cc0"
    return sorted(folder.glob("dress/*.jpg"))[:1] + sorted(folder.glob("shirt/*.jpg"))[:6]


@pytest.fixture
def catalogue(active_model, photos):
    styles = ["romantic", "resort", "street", "modern", "classic"]
    for n, style in enumerate(styles):
        for gender in "FM":
            influencer = InfluencerFactory(
                handle=f"e2e_{gender.lower()}_{style}",
                gender=gender,
                body_size="M",
                followers=5000 + n,
            )
            for k in range(3):
                post = classified_post(
                    influencer,
                    style,
                    100 * (n + 1) + k,
                    image="",
                    caption=f"#{style}룩 원피스 코디 카페 나들이 {k}",
                    # months apart: the influencer page's style-over-time table has rows
                    posted_at=datetime(2026, 1, 15, tzinfo=UTC) - timedelta(days=40 * k),
                )
                data = photos[(n + k) % len(photos)].read_bytes()
                post.image.save("p.jpg", SimpleUploadedFile("p.jpg", data))
            influencer_style_profile_rebuild(influencer_id=influencer.pk)
            influencer_summary_rebuild(influencer_id=influencer.pk)


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server and the ORM calls
    # made here are ordinary blocking code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Browsing:
    """One signed-in (or anonymous) person's browser context, with checks on every page."""

    def __init__(self, browser, base_url: str, name: str, *, javascript: bool = True):
        self.context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
        self.context.add_init_script(_CSP_LISTENER)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.name = name
        self.problems: list[str] = []
        self.expected_statuses: set[int] = set()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on(
            "requestfailed",
            lambda r: (
                r.failure != "net::ERR_ABORTED"
                and self.problems.append(f"failed: {r.url} ({r.failure})")
            ),
        )
        self.page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.status not in self.expected_statuses
                and self.problems.append(f"HTTP {r.status}: {r.url}")
            ),
        )

    def _console(self, message):
        if message.type != "error":
            return
        # The browser logs the status of a page that a test asked for on purpose (our 404 page).
        expected = any(
            message.text.endswith(f"status of {status} (Not Found)")
            or f"status of {status} " in message.text
            for status in self.expected_statuses
        )
        if not expected:
            self.problems.append(f"console: {message.text}")

    def goto(self, path: str, label: str, *, status: int = 200):
        if status != 200:
            self.expected_statuses.add(status)
        response = self.page.goto(self.base_url + path)
        assert response.status == status, f"{path}: HTTP {response.status}"
        self.page.wait_for_load_state("load")
        return response

    def wait_until(self, expression: str, *, timeout: float = 10.0):
        """Polls a JavaScript condition until it holds.

        Not page.wait_for_function: when its first check fails it re-evaluates the string inside the
        page, which our script-src 'self' policy refuses as eval (a red CI run on a slower machine).
        page.evaluate goes through the DevTools protocol, which the policy does not cover.
        """
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(expression):
            assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
            self.page.wait_for_timeout(50)

    def check(self, label: str, *, widths=(PHONE, DESKTOP), axe: bool = True):
        """At each width: no sideways scrolling, a screenshot, no CSP violation, and axe-core."""
        for viewport in widths:
            self.page.set_viewport_size(viewport)
            widths_now = self.page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            wide = self.page.evaluate(WIDEST_ELEMENTS)
            assert widths_now[0] <= widths_now[1], (
                f"{label} at {viewport['width']} px scrolls sideways: {widths_now}; widest: {wide}"
            )
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(
                path=str(ARTIFACTS / f"{self.name}-{label}-{viewport['width']}.png"),
                full_page=True,
            )
        ours = "/admin/" not in self.page.url  # Django's admin icons have its own alt texts
        if ours and self.page.evaluate("document.documentElement.lang") == "ko":
            # Every picture of ours says what it shows, in Korean.
            alts = self.page.evaluate(
                "Array.from(document.querySelectorAll('main img, dialog img'))"
                ".map(i => i.getAttribute('alt') || '')"
            )
            assert all(re.search("[\uac00-\ud7a3]", alt) for alt in alts), f"{label}: {alts}"
        assert "{#" not in self.page.inner_text("body"), f"{label}: a template comment shows"
        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], f"{label}: CSP violations {violations}"
        if axe:
            serious = self.axe()
            assert serious == [], f"{label}: accessibility\n" + json.dumps(serious, indent=1)
        self.page.set_viewport_size(PHONE)

    def axe(self) -> list[dict]:
        """axe-core's serious and critical violations on the current page.

        Without axe's style-sheet preload: it re-parses an @import-ed sheet (Django admin's
        fonts.css) through an inline <style>, which the page's own policy rightly blocks.
        """
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text())
        results = self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations'], preload: false})"
            ".then(r => r.violations.map(v => "
            "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => "
            "n.target.join(' '))})))"
        )
        return [v for v in results if v["impact"] in ("serious", "critical")]

    def close(self):
        self.context.close()


# The elements wider than the viewport, to say what pushes a page sideways when one does.
WIDEST_ELEMENTS = """
Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
       + ' ' + Math.round(e.getBoundingClientRect().right))
"""


def sign_up(visit: Browsing, role: str, username: str):
    page = visit.page
    visit.goto("/accounts/signup/", "signup")
    # Before a role is chosen neither role's fields show; after, only the chosen role's.
    assert not page.is_visible("#id_brand_name") and not page.is_visible("#id_gender")
    page.check(f"input[name=role][value={role}]")
    assert page.is_visible("#id_gender") is (role == "consumer")
    assert page.is_visible("#id_brand_name") is (role == "brand")
    visit.check(f"signup-{role}")
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.com")
    page.fill("#id_password1", STRONG_PASSWORD)
    page.fill("#id_password2", STRONG_PASSWORD)
    if role == "consumer":
        page.select_option("#id_gender", "F")
        page.select_option("#id_body_size", "M")
    else:
        page.fill("#id_brand_name", "테스트 브랜드")
    page.check("#id_policy_agreed")
    page.click("form[data-signup] button[type=submit]")
    page.wait_for_url(visit.base_url + "/")
