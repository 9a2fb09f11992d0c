"""The data-rights pages in a real browser at 360 px and 1280 px, in Korean and English: the policy
texts, the removal request page, the profile's data block, agreeing to a new policy version,
leaving and the deletion's status page. Each is checked for sideways scrolling, the
Content-Security-Policy, console errors and axe-core (tests/web/conftest.py)."""

import pytest

from accounts.models import AccountDeletion, User
from influencers.models import RemovalRequest
from tests.factories import STRONG_PASSWORD, UserFactory
from tests.web.conftest import CHROMIUM, Browsing

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]


def log_in(visit: Browsing, username: str, *, lands_on: str = "/"):
    visit.goto("/accounts/login/", "login")
    visit.page.fill("#id_username", username)
    visit.page.fill("#id_password", STRONG_PASSWORD)
    visit.page.click("main form button[type=submit]")
    visit.page.wait_for_url(visit.base_url + lands_on)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_visitor_reads_the_policy_and_asks_for_removal(live_server, browser, language):
    visit = Browsing(browser, live_server.url, f"visitor-{language}")
    visit.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for path, label in [("/privacy/", "privacy"), ("/terms/", "terms")]:
        visit.goto(path, label)
        assert visit.page.locator("html").get_attribute("lang") == language
        visit.check(f"{label}-{language}")
    visit.page.click("footer a[href='/removal-request/']")
    visit.page.wait_for_url(live_server.url + "/removal-request/")
    visit.check(f"removal-{language}")

    visit.expected_statuses.add(400)
    visit.page.fill("#id_handle", "not/a handle")
    visit.page.fill("#id_contact_email", "me@example.com")
    visit.page.fill("#id_reason", "제 계정입니다")
    visit.page.click("main form button[type=submit]")
    visit.page.wait_for_selector(".error-summary")
    visit.check(f"removal-refused-{language}")
    visit.page.fill("#id_handle", "my.account_1")
    visit.page.click("main form button[type=submit]")
    visit.page.wait_for_selector("h1")
    visit.check(f"removal-sent-{language}")
    assert RemovalRequest.objects.get().handle == "my.account_1"
    assert visit.problems == []
    visit.close()


def test_a_user_agrees_to_a_new_policy_downloads_their_data_and_leaves(live_server, browser):
    user = UserFactory(username="leaver", policy_agreed=False)
    visit = Browsing(browser, live_server.url, "data-rights")
    page = visit.page
    log_in(visit, "leaver", lands_on="/accounts/consent/?next=%2F")
    visit.check("consent")
    page.check("#id_policy_agreed")
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    visit.goto("/accounts/profile/", "profile")
    visit.check("profile-data")
    with page.expect_download() as download:
        page.click("a[href='/accounts/export/']")
    assert download.value.suggested_filename == "stylematch-my-data.zip"

    visit.goto("/accounts/withdraw/", "withdraw")
    visit.check("withdraw")
    page.fill("#id_password", STRONG_PASSWORD)
    page.check("#id_confirm")
    page.click("main form button.danger")
    page.wait_for_url(f"{live_server.url}/accounts/deletion/**")
    visit.check("deletion-status")
    assert page.locator("[data-status]").get_attribute("data-status") == "done"
    assert not User.objects.filter(pk=user.pk).exists()
    assert AccountDeletion.objects.get().status == "done"
    assert visit.problems == []
    visit.close()
