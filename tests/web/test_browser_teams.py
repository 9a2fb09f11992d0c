"""A brand team in a real browser (issue 26): the owner invites by e-mail, the invitee signs up
from the link and accepts, works on the shared campaign, is made a viewer, then removed, and
loses the campaign at once. Every team page is checked at 360 px and 1280 px (no sideways
scrolling, no CSP violation, axe-core), in Korean and in English."""

import re

import pytest
from django.core import mail

from campaigns import services as campaign_services
from tests.factories import STRONG_PASSWORD, BrandFactory, InfluencerFactory, classified_post
from tests.web.conftest import CHROMIUM, Browsing
from tests.web.test_browser_pages import log_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]


def submit(page, form_selector: str):
    page.locator(f"{form_selector} button[type=submit]").click()
    page.wait_for_load_state("load")


def test_invite_accept_share_change_the_role_and_remove(live_server, browser):
    lead = BrandFactory(username="walklead", brand_name="봄브랜드", email="lead@example.com")
    team = campaign_services.team_personal_ensure(user=lead)
    campaign = campaign_services.campaign_create(
        user=lead, name="공유 캠페인", target_gender="F", target_body_size="M"
    )
    influencer = InfluencerFactory(handle="walk_pick")
    classified_post(influencer, "romantic", 120, image="")
    campaign_services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=lead)

    owner = Browsing(browser, live_server.url, "team-owner")
    log_in(owner, "walklead")
    owner.goto(f"/teams/{team.pk}/", "team")
    assert owner.page.inner_text("h1") == "봄브랜드"
    owner.check("team-owner")
    mail.outbox.clear()
    owner.page.fill("#id_email", "agency@example.com")
    owner.page.select_option("#id_role", "manager")
    submit(owner.page, f"form[action='/teams/{team.pk}/invite/']")
    assert "agency@example.com" in owner.page.inner_text("#messages")
    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/teams/invitations/[^/\s]+/)", message.body).group(1)

    agency = Browsing(browser, live_server.url, "team-agency")
    agency.goto(link, "invitation")
    assert "봄브랜드" in agency.page.inner_text("main")
    agency.check("invitation-anonymous")
    agency.page.click("main a.button.secondary")  # sign up
    agency.page.wait_for_load_state("load")
    page = agency.page
    page.check("input[name=role][value=brand]")
    page.fill("#id_username", "agencykim")
    page.fill("#id_email", "agency@example.com")
    page.fill("#id_password1", STRONG_PASSWORD)
    page.fill("#id_password2", STRONG_PASSWORD)
    page.fill("#id_brand_name", "김 에이전시")
    page.check("#id_policy_agreed")
    page.click("form[data-signup] button[type=submit]")
    page.wait_for_url(live_server.url + link)
    agency.check("invitation-signed-in")
    submit(page, "main form")
    page.wait_for_url(f"{live_server.url}/teams/{team.pk}/")
    assert page.inner_text(".my-role") == "매니저"

    # The shared campaign: a manager writes a note on the owner's shortlist.
    agency.goto("/campaigns/", "campaigns")
    assert "공유 캠페인" in page.inner_text("main")
    agency.check("campaigns-shared")
    agency.goto(f"/campaigns/{campaign.pk}/", "campaign")
    entry = page.locator(".entry").first
    entry.locator("textarea").fill("에이전시 메모: DM 완료")
    submit(page, ".entry")
    assert "에이전시 메모: DM 완료" in page.inner_text(".entry-notes")
    agency.check("campaign-manager")

    # The owner sees who did it, and makes the agency a viewer.
    owner.goto(f"/teams/{team.pk}/", "team")
    activity = owner.page.inner_text(".activity")
    assert "agencykim 메모를 남김" in activity and "agencykim 합류함" in activity
    member = owner.page.locator(".member", has_text="agencykim")
    member.locator("select").select_option("viewer")
    submit(owner.page, ".member:has-text('agencykim') form.member-role")
    assert "뷰어" in owner.page.locator(".member", has_text="agencykim").inner_text()
    owner.check("team-after-role-change")

    # A viewer reads and exports, and is offered nothing that writes.
    agency.goto(f"/campaigns/{campaign.pk}/", "campaign")
    assert page.locator(".entry form").count() == 0
    assert page.locator("a[href$='shortlist.csv']").count() == 1
    agency.check("campaign-viewer")

    # Removed: the very next request has nothing.
    owner.page.on("dialog", lambda d: d.accept())
    submit(owner.page, ".member:has-text('agencykim') form[action$='/remove/']")
    assert owner.page.locator(".member", has_text="agencykim").count() == 0
    agency.goto(f"/campaigns/{campaign.pk}/", "campaign-gone", status=404)
    agency.goto(f"/teams/{team.pk}/", "team-gone", status=404)

    # The same team page in English.
    owner.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    owner.goto(f"/teams/{team.pk}/", "team")
    text = owner.page.inner_text("main")
    assert "Members" in text and "walklead removed: agencykim" in text
    owner.check("team-english")
    assert owner.problems == [] and agency.problems == []
    owner.close()
    agency.close()
