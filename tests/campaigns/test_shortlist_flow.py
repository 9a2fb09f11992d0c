"""The shortlist and save flows as a brand or consumer uses them on the pages and the API:
notes at any stage, only allowed moves offered, nothing typed lost, state shown on every card."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from campaigns import services
from campaigns.constants import STAGE_NOTE_MAX_LENGTH
from campaigns.models import SavedInfluencer, ShortlistEntry, Stage, StageChange
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(campaign, influencer, brand):
    return services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)


def stage_url(campaign, entry):
    return f"/campaigns/{campaign.pk}/shortlist/{entry.pk}/stage/"


def offered_stages(html: str, entry) -> list[str]:
    select = re.search(rf'<select name="entry-{entry.pk}-stage".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def test_a_note_is_added_at_any_stage_without_changing_it(client, brand, campaign, entry):
    services.shortlist_stage_change(entry=entry, stage=Stage.CONTACTED, user=brand)
    client.force_login(brand)
    response = client.post(
        stage_url(campaign, entry),
        {f"entry-{entry.pk}-stage": "", f"entry-{entry.pk}-note": "답장 기다리는 중"},
    )
    assert response.status_code == 302
    assert response.url == f"/campaigns/{campaign.pk}/#entry-{entry.pk}"
    entry.refresh_from_db()
    assert entry.stage == Stage.CONTACTED and entry.notes == "답장 기다리는 중"
    last = entry.history.last()
    assert (last.from_stage, last.to_stage, last.note) == (
        "contacted",
        "contacted",
        "답장 기다리는 중",
    )
    page = client.get(response.url).content.decode()
    assert "답장 기다리는 중" in page and "message-success" in page


def test_the_stage_control_offers_only_the_allowed_moves(client, brand, campaign, entry):
    client.force_login(brand)
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert offered_stages(html, entry) == ["", "contacted", "dropped"]
    assert set(offered_stages(html, entry)[1:]) == set(services.ALLOWED_MOVES[Stage.CANDIDATE])
    for stage in (Stage.CONTACTED, Stage.NEGOTIATING, Stage.CONFIRMED, Stage.DONE):
        services.shortlist_stage_change(entry=entry, stage=stage, user=brand)
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert offered_stages(html, entry) == [""]  # done is final; notes still possible


def test_a_refused_move_keeps_the_typed_note_and_says_why(client, brand, campaign, entry):
    client.force_login(brand)
    note = "다음 주 미팅 & <확정> 예정"
    response = client.post(
        stage_url(campaign, entry),
        {f"entry-{entry.pk}-stage": "done", f"entry-{entry.pk}-note": note},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "다음 주 미팅 &amp; &lt;확정&gt; 예정</textarea>" in html  # kept, escaped
    assert 'role="alert"' in html
    entry.refresh_from_db()
    assert entry.stage == Stage.CANDIDATE and entry.notes == ""
    assert entry.history.count() == 1


def test_a_move_the_service_refuses_keeps_the_note_too(client, brand, campaign, entry):
    client.force_login(brand)
    # The page was loaded while the entry was a candidate; meanwhile it was dropped elsewhere.
    services.shortlist_stage_change(entry=entry, stage=Stage.DROPPED, user=brand)
    response = client.post(
        stage_url(campaign, entry),
        {f"entry-{entry.pk}-stage": "contacted", f"entry-{entry.pk}-note": "연락 완료"},
    )
    assert response.status_code == 400
    assert "연락 완료</textarea>" in response.content.decode()
    entry.refresh_from_db()
    assert entry.stage == Stage.DROPPED


def test_an_empty_form_asks_for_a_stage_or_a_note(client, brand, campaign, entry):
    client.force_login(brand)
    response = client.post(
        stage_url(campaign, entry), {f"entry-{entry.pk}-stage": "", f"entry-{entry.pk}-note": " "}
    )
    assert response.status_code == 400
    assert "새 단계를 고르거나 메모를 입력하세요." in response.content.decode()


def test_the_api_adds_a_note_alone_and_refuses_a_bad_move_without_writing(campaign, entry):
    api = APIClient()
    api.force_authenticate(campaign.created_by)
    url = f"/api/v1/campaigns/{campaign.pk}/shortlist/{entry.pk}/"
    noted = api.patch(url, {"note": "샘플 발송"}, format="json")
    assert noted.status_code == 200
    assert noted.json()["stage"] == "candidate" and noted.json()["notes"] == "샘플 발송"
    before = StageChange.objects.count()
    refused = api.patch(url, {"stage": "done", "note": "잃으면 안 되는 메모"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_transition"
    entry.refresh_from_db()
    assert entry.notes == "샘플 발송" and StageChange.objects.count() == before
    assert api.patch(url, {}, format="json").status_code == 400


def test_a_refused_shortlist_add_is_shown_as_an_error(client, brand, campaign, entry, influencer):
    client.force_login(brand)
    response = client.post(
        "/campaigns/shortlist/",
        {"campaign": campaign.pk, "influencer_id": influencer.pk, "next": "/influencers/"},
        follow=True,
    )
    html = response.content.decode()
    assert "이미 후보 목록에 있습니다" in html
    message = re.search(r'<div class="message message-(\w+)" role="(\w+)"', html)
    assert message.groups() == ("error", "alert")


def test_save_without_a_script_returns_to_the_same_card(client, consumer, influencer):
    client.force_login(consumer)
    next_url = f"/influencers/{influencer.handle}/#influencer-{influencer.pk}"
    response = client.post("/saved/add/", {"influencer_id": influencer.pk, "next": next_url})
    assert response.status_code == 302 and response.url == next_url


def test_save_and_unsave_answer_the_script_in_json(client, consumer, influencer):
    client.force_login(consumer)
    headers = {"X-Requested-With": "fetch"}
    saved = client.post("/saved/add/", {"influencer_id": influencer.pk}, headers=headers)
    assert saved.status_code == 200 and saved.json()["saved"] is True
    saved_id = SavedInfluencer.objects.get(user=consumer).pk
    assert saved.json()["remove_url"] == f"/saved/{saved_id}/remove/"
    removed = client.post(saved.json()["remove_url"], headers=headers)
    assert removed.json() == {
        "ok": True,
        "message": "@shortlisted 님을 내 목록에서 뺐습니다.",
        "level": "success",
        "saved": False,
        "add_url": "/saved/add/",
    }
    assert not SavedInfluencer.objects.exists()


def test_shortlist_answers_the_script_in_json_and_refuses_a_duplicate(
    client, brand, campaign, influencer
):
    client.force_login(brand)
    headers = {"X-Requested-With": "fetch"}
    data = {"campaign": campaign.pk, "influencer_id": influencer.pk}
    added = client.post("/campaigns/shortlist/", data, headers=headers)
    assert added.status_code == 200 and added.json()["campaign"] == campaign.pk
    again = client.post("/campaigns/shortlist/", data, headers=headers)
    assert again.status_code == 400 and again.json()["level"] == "error"
    assert ShortlistEntry.objects.count() == 1


def test_a_stranger_cannot_shortlist_into_anothers_campaign(client, campaign, influencer):
    from tests.factories import BrandFactory

    client.force_login(BrandFactory())
    response = client.post(
        "/campaigns/shortlist/", {"campaign": campaign.pk, "influencer_id": influencer.pk}
    )
    assert response.status_code == 404 and not ShortlistEntry.objects.exists()


def test_every_card_shows_what_is_saved_with_a_constant_number_of_queries(client, consumer):
    people = []
    for n in range(6):
        person = InfluencerFactory(handle=f"card_{n}")
        classified_post(person, "romantic", 10 + n)
        people.append(influencer_style_profile_rebuild(influencer_id=person.pk))
    services.saved_add(user=consumer, influencer_id=people[0].pk)
    client.force_login(consumer)
    html = client.get(f"/influencers/{people[0].handle}/").content.decode()
    assert 'aria-pressed="true"' in html and "내 목록에 있음" in html
    html = client.get(f"/influencers/{people[1].handle}/").content.decode()
    assert 'aria-pressed="false"' in html
    with CaptureQueriesContext(connection) as one:
        client.get(f"/influencers/{people[2].handle}/")
    assert len(one) < 20


def test_a_brand_sees_which_campaigns_already_hold_an_influencer(
    client, brand, campaign, entry, influencer
):
    other = services.campaign_create(
        user=brand, name="가을 니트", target_gender="F", target_body_size="M"
    )
    client.force_login(brand)
    html = client.get(f"/influencers/{influencer.handle}/").content.decode()
    assert "후보 목록에 있음" in html and f'href="/campaigns/{campaign.pk}/"' in html
    assert f'<option value="{campaign.pk}" disabled>' in html
    assert f'<option value="{other.pk}">' in html


def test_a_move_no_longer_allowed_is_refused_naming_the_allowed_moves(
    client, brand, campaign, entry
):
    """Walkthrough (issue 18): a page left open offered "contacted"; after the entry moved on,
    sending it showed Django's raw "contacted 이/가 선택가능항목에 없습니다"."""
    client.force_login(brand)
    services.shortlist_stage_change(entry=entry, stage=Stage.CONTACTED, user=brand)
    response = client.post(
        stage_url(campaign, entry),
        {f"entry-{entry.pk}-stage": "contacted", f"entry-{entry.pk}-note": "다시 연락"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "선택가능항목" not in html and "contacted" not in re.sub(r"<[^>]+>", "", html)
    with translation.override("ko"):
        allowed = ", ".join(str(s.label) for s in services.shortlist_stage_moves(entry=entry))
        assert translation.gettext("Allowed next stages: %(moves)s.") % {"moves": allowed} in html
    assert "다시 연락" in html  # the note typed with it is kept
    unknown = client.post(stage_url(campaign, entry), {f"entry-{entry.pk}-stage": "paid"})
    assert unknown.status_code == 400
    with translation.override("ko"):
        assert translation.gettext("Unknown stage.") in unknown.content.decode()
    entry.refresh_from_db()
    assert entry.stage == Stage.CONTACTED and entry.history.count() == 2


def test_a_note_too_long_gets_one_plain_message_and_is_kept(client, brand, campaign, entry):
    """Walkthrough: a 3,000-character note got "choose a stage or write a note" (a note was
    written) beside Django's "이 값이 최대 2000 개의 글자인지 확인하세요"."""
    client.force_login(brand)
    note = "메" * (STAGE_NOTE_MAX_LENGTH + 1000)
    response = client.post(
        stage_url(campaign, entry), {f"entry-{entry.pk}-stage": "", f"entry-{entry.pk}-note": note}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{STAGE_NOTE_MAX_LENGTH}자까지 쓸 수 있습니다 (지금 {len(note)}자)" in html
    assert "새 단계를 고르거나" not in html and "글자인지 확인하세요" not in html
    assert note in html
    entry.refresh_from_db()
    assert entry.notes == ""


def test_a_wrong_password_is_said_plainly_in_korean(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    html = response.content.decode()
    assert "아이디 또는 비밀번호가 맞지 않습니다" in html
    assert "와/과" not in html


def test_an_empty_saved_list_leads_a_brand_to_campaigns_and_a_consumer_to_a_photo(
    client, brand, consumer
):
    """Walkthrough: a brand on /saved/ was told to save from results, which brands cannot do."""
    client.force_login(brand)
    html = client.get("/saved/").content.decode()
    assert 'href="/campaigns/"' in html and "캠페인 후보 목록" in html
    client.force_login(consumer)
    html = client.get("/saved/").content.decode()
    assert 'href="/"' in html.split("<h1>")[1]


def test_a_brand_deletes_a_campaign_from_its_page_after_confirming(client, brand, campaign, entry):
    """Walkthrough: the site offered no way to delete a campaign (only the API did)."""
    from campaigns.models import Campaign, ShortlistEntry

    other_brand = UserFactory(role="brand", brand_name="다른 브랜드")
    url = f"/campaigns/{campaign.pk}/delete/"
    client.force_login(brand)
    assert f'href="{url}"' in client.get(f"/campaigns/{campaign.pk}/").content.decode()
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.content.decode()
    assert client.post(url).status_code == 200  # not from the confirmation: only the question
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    client.force_login(other_brand)
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    client.force_login(brand)
    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 302 and done.url == "/campaigns/"
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    assert not ShortlistEntry.objects.filter(pk=entry.pk).exists()
