"""Every page, as an anonymous visitor, a consumer, a brand and staff use it, at 360 px and 1280 px,
in a real browser with the Content-Security-Policy on.

Each page is checked for sideways scrolling, Content-Security-Policy violations, console errors and
axe-core's serious or critical accessibility violations; screenshots go to test-artifacts/browser/.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from campaigns import services as campaign_services
from influencers.models import Post
from tests.factories import STRONG_PASSWORD, UserFactory
from tests.web.conftest import CHROMIUM, DESKTOP, PHONE, Browsing, sign_up

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]


def log_in(visit: Browsing, username: str):
    visit.goto("/accounts/login/", "login")
    visit.page.fill("#id_username", username)
    visit.page.fill("#id_password", STRONG_PASSWORD)
    visit.page.click("main form button[type=submit]")
    visit.page.wait_for_url(visit.base_url + "/")


def open_viewer_and_close_it(visit: Browsing, link_selector: str):
    """The post viewer opens as a modal dialog with the post, and gives focus back on close."""
    page = visit.page
    link = page.locator(link_selector).first
    link.click()
    dialog = page.locator("dialog#post-viewer")
    dialog.wait_for(state="visible")
    assert dialog.locator(".caption").inner_text()
    assert dialog.locator(".stats dd").count() == 2 and dialog.locator(".post-image").count() == 1
    assert page.evaluate("document.activeElement.hasAttribute('data-close-viewer')")
    visit.check("viewer", axe=True)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.hasAttribute('data-post-viewer')")
    # A phone's Back button closes the viewer and stays on the page (walkthrough: it left the
    # results); closing by its button leaves no extra history entry behind.
    address = page.url
    link.click()
    dialog.wait_for(state="visible")
    page.go_back()
    dialog.wait_for(state="hidden")
    assert page.url == address
    link.click()
    dialog.wait_for(state="visible")
    dialog.locator("[data-close-viewer]").click()
    dialog.wait_for(state="hidden")
    visit.wait_until("!(history.state && history.state.postViewer)")
    assert page.url == address


def test_an_anonymous_visitor_browses_every_public_page(live_server, browser, catalogue):
    visit = Browsing(browser, live_server.url, "anonymous")
    post = Post.objects.filter(influencer__handle="e2e_f_romantic").first()
    pages = [
        ("/", "home"),
        ("/influencers/", "influencers"),
        ("/influencers/?q=%23romantic%EB%A3%A9", "search"),
        ("/influencers/e2e_f_romantic/", "influencer"),
        (f"/influencers/e2e_f_romantic/posts/{post.pk}/", "post"),
        ("/accounts/login/", "login"),
        ("/accounts/signup/?role=brand", "signup-brand-link"),
    ]
    for path, label in pages:
        visit.goto(path, label)
        visit.check(label)
    visit.goto("/influencers/?q=%23romantic%EB%A3%A9", "search")
    assert visit.page.locator(".snippet mark").first.inner_text() == "romantic룩"
    assert visit.page.locator(".influencer-tile img.avatar").count() >= 2

    visit.goto("/no/such/page/", "404", status=404)
    assert "페이지를 찾을 수 없습니다" in visit.page.inner_text("h1")
    visit.check("404")

    visit.goto("/influencers/e2e_f_romantic/", "influencer")
    open_viewer_and_close_it(visit, ".feed a[data-post-viewer]")

    # The language switcher (no inline handler) switches the whole page, style names included.
    with visit.page.expect_navigation():  # the change submits the form: wait for the new page
        visit.page.select_option("#language", "en")
    assert visit.page.locator("html").get_attribute("lang") == "en"
    assert "Romantic" in visit.page.inner_text("main")
    visit.check("influencer-english")
    visit.goto("/no/such/page/", "404-english", status=404)
    assert visit.page.inner_text("h1") == "Page not found"

    visit.goto("/api/v1/docs/", "api-docs")
    visit.page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    visit.check("api-docs", widths=(DESKTOP,), axe=False)  # third-party UI: policy and errors only
    assert visit.problems == []
    visit.close()


def test_a_consumer_uploads_views_evidence_and_saves_in_place(
    live_server, browser, catalogue, photos, tmp_path
):
    visit = Browsing(browser, live_server.url, "consumer")
    page = visit.page
    sign_up(visit, "consumer", "e2econsumer")
    visit.check("home")

    # A refused upload comes back with the reason and a button that works again.
    not_a_photo = tmp_path / "notes.jpg"
    not_a_photo.write_text("this is not an image")
    visit.expected_statuses.add(400)
    page.set_input_files("#id_image", str(not_a_photo))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-form .errors")
    assert page.locator("#upload-form button[type=submit]").is_enabled()
    assert page.locator("#upload-form .busy-note").is_hidden()
    visit.check("upload-refused")
    visit.expected_statuses.discard(400)

    # The upload button shows progress and cannot be pressed twice.
    posts = []
    page.on(
        "request", lambda r: r.method == "POST" and "/recommendations/" in r.url and posts.append(r)
    )
    page.set_input_files("#id_image", str(photos[0]))
    busy = page.evaluate(
        """() => { const form = document.getElementById('upload-form');
           const button = form.querySelector('button[type=submit]');
           button.click(); return new Promise(r => setTimeout(() => {
             const again = button.disabled; button.click();
             r({disabled: again, note: !form.querySelector('.busy-note').hidden}); }, 50)); }"""
    )
    assert busy == {"disabled": True, "note": True}
    page.wait_for_selector(".influencer-card", timeout=60_000)
    assert len(posts) == 1
    visit.check("result")

    open_viewer_and_close_it(visit, ".influencer-card .evidence a[data-post-viewer]")

    # Save updates the button in place: no reload, no jump to the top.
    url = page.url
    card = page.locator(".influencer-card").first
    button = card.locator("form[data-inplace=save] button")
    assert button.get_attribute("aria-pressed") == "false"
    page.evaluate("window.__marker = 1")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.url == url and page.evaluate("window.__marker") == 1
    message = page.locator("#messages .message-success")
    assert (
        message.get_attribute("role") == "status"
        and "내 목록에 저장했습니다" in message.inner_text()
    )
    visit.check("result-saved")
    page.reload()
    assert card.locator("form[data-inplace=save] button").get_attribute("aria-pressed") == "true"

    for path, label in [
        ("/history/", "history"),
        ("/saved/", "saved"),
        ("/accounts/profile/", "profile"),
        ("/accounts/password/", "password"),
    ]:
        visit.goto(path, label)
        visit.check(label)
    assert visit.problems == []
    visit.close()


def test_a_brand_shortlists_in_place_and_works_the_shortlist(live_server, browser, catalogue):
    visit = Browsing(browser, live_server.url, "brand")
    page = visit.page
    sign_up(visit, "brand", "e2ebrand")
    visit.goto("/campaigns/", "campaigns")
    visit.check("campaigns-empty")
    page.fill("#id_name", "봄 원피스 캠페인")
    page.select_option("#id_target_gender", "F")
    page.select_option("#id_target_body_size", "M")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/campaigns/\d+/$"))
    campaign_url = page.url
    visit.check("campaign-empty")

    visit.goto("/influencers/e2e_f_romantic/", "influencer")
    page.click("form[data-inplace=shortlist] button")
    page.wait_for_selector("[data-shortlisted] a")
    assert page.inner_text("[data-shortlisted]") == "✓ 후보 목록에 있음: 봄 원피스 캠페인"
    assert page.locator("#messages .message-success").count() == 1
    # Its only campaign now has it: the form goes, as after a reload (no greyed-out control).
    assert page.locator("form[data-inplace=shortlist]").count() == 0
    visit.check("influencer-shortlisted")

    page.goto(campaign_url)
    entry = page.locator(".entry").first
    options = entry.locator("select option").all_inner_texts()
    assert options == ["그대로: 후보", "→ 연락", "→ 제외"]
    entry.locator("textarea").fill("DM 보냄, 답장 대기")
    entry.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "DM 보냄, 답장 대기" in page.inner_text(".entry-notes")
    assert "후보" in page.inner_text(".entry .badge.stage")
    entry = page.locator(".entry").first
    entry.locator("select").select_option("contacted")
    entry.locator("textarea").fill("연락 완료")
    entry.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "연락" in page.inner_text(".entry .badge.stage")
    assert page.locator(".entry select option").all_inner_texts() == [
        "그대로: 연락",
        "→ 협의",
        "→ 제외",
    ]
    visit.check("campaign-shortlist")
    assert visit.problems == []
    visit.close()


def test_staff_pages_and_the_admin_in_korean(live_server, browser, catalogue):
    staff = UserFactory(username="e2estaff", is_staff=True, is_superuser=True)
    brand = UserFactory(username="e2eowner", role="brand", gender="", body_size="")
    campaign = campaign_services.campaign_create(
        user=brand, name="관리 캠페인", target_gender="F", target_body_size="M"
    )
    from influencers.models import Influencer

    campaign_services.shortlist_add(
        campaign=campaign, influencer_id=Influencer.objects.first().pk, user=brand
    )
    visit = Browsing(browser, live_server.url, "staff")
    log_in(visit, staff.username)
    for path, label in [
        ("/admin/", "admin"),
        ("/admin/influencers/influencer/", "admin-influencers"),
        ("/admin/influencers/influencer/import/", "admin-import"),
        ("/admin/campaigns/shortlistentry/", "admin-shortlist"),
        ("/admin/recommender/modelversion/", "admin-models"),
        ("/admin/recommender/reclassificationrun/", "admin-reclassification-runs"),
    ]:
        visit.goto(path, label)
        visit.check(label, widths=(PHONE, DESKTOP))
    visit.goto("/admin/", "admin")
    text = visit.page.inner_text("#content")
    assert "후보 목록 항목" in text and "가져오기 작업" in text and "Shortlist entrys" not in text
    font = visit.page.evaluate(
        "getComputedStyle(document.querySelector('#content h1, #site-name')).fontFamily"
    )
    assert "StyleMatch Korean" in font
    assert visit.problems == []
    visit.close()


def test_without_javascript_sign_up_and_save_still_work(live_server, browser, catalogue):
    visit = Browsing(browser, live_server.url, "nojs", javascript=False)
    page = visit.page
    visit.goto("/accounts/signup/?role=consumer", "signup")
    assert page.is_visible("#id_gender") and not page.is_visible("#id_brand_name")
    page.fill("#id_username", "e2enojs")
    page.fill("#id_email", "nojs@example.com")
    page.fill("#id_password1", STRONG_PASSWORD)
    page.fill("#id_password2", STRONG_PASSWORD)
    page.select_option("#id_gender", "F")
    page.select_option("#id_body_size", "M")
    page.check("#id_policy_agreed")
    page.click("form[data-signup] button[type=submit]")
    page.wait_for_url(visit.base_url + "/")
    visit.goto("/influencers/e2e_f_romantic/", "influencer")
    page.click("form[data-inplace=save] button")
    page.wait_for_load_state("load")
    assert re.search(r"/influencers/e2e_f_romantic/#influencer-\d+$", page.url)
    assert page.locator("form[data-inplace=save] button").get_attribute("aria-pressed") == "true"
    assert page.locator("#messages .message-success").count() == 1
    visit.check("influencer-saved", axe=False)
    assert visit.problems == []
    visit.close()


# What a thumb must hit on a 360 px phone (WCAG 2.5.5): the links that stand on their own.
SMALL_TARGETS = """
sel => Array.from(document.querySelectorAll(sel)).filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect();
              return {text: e.innerText.trim(), width: r.width, height: r.height}; })
"""


def test_links_standing_alone_are_44px_tap_targets_on_a_phone(
    live_server, browser, catalogue, photos
):
    """Walkthrough (issue 18): "forgot your password", "change password" and the handles on
    result cards were about 20 px tall at 360 px."""
    from recommender.services.requests import recommendation_create

    user = UserFactory(username="tapper", role="consumer", gender="F", body_size="M")
    with open(photos[0], "rb") as f:
        item = recommendation_create(
            user=user, image=SimpleUploadedFile("look.jpg", f.read(), content_type="image/jpeg")
        )
    visit = Browsing(browser, live_server.url, "tap-targets")
    visit.page.set_viewport_size(PHONE)
    checked = {}
    visit.goto("/accounts/login/", "login")
    checked["login"] = visit.page.evaluate(SMALL_TARGETS, "main a.tap, main p > a")
    log_in(visit, "tapper")
    visit.goto("/accounts/profile/", "profile")
    checked["profile"] = visit.page.evaluate(SMALL_TARGETS, "main p > a")
    visit.goto(f"/recommendations/{item.pk}/", "result")
    visit.page.wait_for_selector(".influencer-card")
    checked["result"] = visit.page.evaluate(SMALL_TARGETS, ".influencer-card header a")
    visit.check("tap-targets-result", widths=(PHONE,))
    assert all(checked.values()), checked
    small = {
        page: [t for t in targets if t["height"] < 44 or t["width"] < 44]
        for page, targets in checked.items()
    }
    assert small == {"login": [], "profile": [], "result": []}
    visit.close()


def test_a_refused_form_shows_its_errors_in_view_on_a_phone(live_server, browser):
    """At 360 px the fields' own messages are below the fold: the summary comes first, in view,
    and each of its links takes the person to the field."""
    visit = Browsing(browser, live_server.url, "error-summary")
    visit.expected_statuses.update({400})
    page = visit.page
    visit.goto("/accounts/signup/", "signup")
    page.check("input[name=role][value=consumer]")
    page.fill("#id_username", "not valid!")
    page.click("form[data-signup] button[type=submit]")
    summary = page.locator("[data-error-summary]")
    summary.wait_for(state="visible")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    box = summary.bounding_box()
    assert 0 <= box["y"] < PHONE["height"], box
    visit.check("signup-refused", widths=(PHONE,))
    summary.locator("a[href='#id_username']").click()
    assert page.evaluate("document.activeElement.id") == "id_username"
    visit.close()
