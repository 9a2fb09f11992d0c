"""What a team shares, and who did it: campaigns made in the right team, teammates' brand
recommendations (with who asked, and their photos), and the activity each action leaves."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from accounts.teams.choices import TeamAction, TeamRole
from accounts.teams.models import TeamActivity
from campaigns import services
from campaigns.models import Stage
from recommender.services.requests import recommendation_create
from tests.conftest import jpeg_bytes
from tests.factories import BrandFactory, InfluencerFactory, classified_post, team_member_add

pytestmark = pytest.mark.django_db

FORM = {"name": "가을 캠페인", "target_gender": "F", "target_body_size": "M"}


@pytest.fixture
def agency():
    """A brand account that owns its team and manages one client's and views another's."""
    agency = BrandFactory(username="agency", brand_name="에이전시")
    own = services.team_personal_ensure(user=agency)
    client_team = services.team_personal_ensure(user=BrandFactory(brand_name="고객사"))
    watched = services.team_personal_ensure(user=BrandFactory(brand_name="구경만"))
    team_member_add(client_team, agency, TeamRole.MANAGER)
    team_member_add(watched, agency, TeamRole.VIEWER)
    return agency, own, client_team, watched


def test_a_member_of_several_teams_picks_where_a_campaign_goes(agency):
    user, own, client_team, watched = agency
    client = Client()
    client.force_login(user)
    page = client.get("/campaigns/").content.decode()
    assert "고객사" in page and 'name="team"' in page and "구경만" not in page
    response = client.post("/campaigns/", {**FORM, "team": client_team.pk})
    assert response.status_code == 302
    campaign = client_team.campaigns.get()
    assert (campaign.name, campaign.created_by) == ("가을 캠페인", user)
    refused = client.post("/campaigns/", {**FORM, "team": watched.pk})  # a viewer there
    assert refused.status_code == 200 and "team" in refused.context["form"].errors
    assert not watched.campaigns.exists()


def test_the_api_puts_a_campaign_in_the_named_team_or_refuses(agency):
    user, own, client_team, watched = agency
    api = Client()
    api.force_login(user)
    post = lambda body: api.post("/api/v1/campaigns/", body, content_type="application/json")  # noqa: E731
    created = post(FORM)
    assert created.status_code == 201 and created.json()["team"] == own.pk  # the one owned
    assert created.json()["role"] == "owner" and created.json()["created_by"] == "agency"
    assert post({**FORM, "team": client_team.pk}).json()["team"] == client_team.pk
    assert post({**FORM, "team": watched.pk}).status_code == 403
    stranger_team = services.team_personal_ensure(user=BrandFactory())
    assert post({**FORM, "team": stranger_team.pk}).status_code == 404
    assert post({**FORM, "team": 999999}).status_code == 404
    assert not watched.campaigns.exists() and not stranger_team.campaigns.exists()


def test_teammates_see_a_brand_recommendation_with_who_asked_and_its_photo(settings):
    lead = BrandFactory(username="lead")
    team = services.team_personal_ensure(user=lead)
    kim, outsider = BrandFactory(username="kim"), BrandFactory(username="outsider")
    team_member_add(team, kim, TeamRole.VIEWER)
    request = recommendation_create(
        user=lead,
        image=SimpleUploadedFile("p.jpg", jpeg_bytes()),
        mode="brand",
        gender="F",
        body_size="M",
    )
    assert request.team == team
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(kim)
    history = client.get("/history/").content.decode()
    assert f"/recommendations/{request.pk}/" in history and "asked by lead" in history
    photo = f"{settings.MEDIA_URL}{request.image.name}"
    assert client.get(photo).status_code == 200
    detail = client.get(f"/recommendations/{request.pk}/").content.decode()
    assert "Delete from history" not in detail  # a viewer's page offers no delete
    client.force_login(outsider)
    assert client.get(photo).status_code == 404
    assert f"/recommendations/{request.pk}/" not in client.get("/history/").content.decode()


def test_each_campaign_action_leaves_its_line_with_who_did_it():
    lead = BrandFactory(username="lead")
    team = services.team_personal_ensure(user=lead)
    kim = BrandFactory(username="kim")
    team_member_add(team, kim, TeamRole.MANAGER)
    influencer = InfluencerFactory(handle="pick")
    classified_post(influencer, "romantic", 10)
    campaign = services.campaign_create(user=lead, **FORM)
    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=kim)
    services.shortlist_note_add(entry=entry, user=kim, note="연락처 확보")
    services.shortlist_stage_change(entry=entry, user=lead, stage=Stage.CONTACTED)
    client = Client()
    client.force_login(kim)
    assert client.get(f"/campaigns/{campaign.pk}/shortlist.csv").status_code == 200
    client.force_login(lead)
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/shortlist.csv").status_code == 200
    services.campaign_delete(campaign=campaign, user=lead)
    rows = list(
        TeamActivity.objects.filter(team=team)
        .order_by("id")
        .values_list("actor_name", "action", "subject", "change")
    )
    stage_move = {"kind": "stage", "from": "candidate", "to": "contacted"}
    assert rows == [
        ("lead", TeamAction.CAMPAIGN_CREATED, "가을 캠페인", {}),
        ("kim", TeamAction.SHORTLISTED, "@pick · 가을 캠페인", {}),
        ("kim", TeamAction.NOTE_ADDED, "@pick · 가을 캠페인", {}),
        ("lead", TeamAction.STAGE_MOVED, "@pick · 가을 캠페인", stage_move),
        ("kim", TeamAction.EXPORTED, "가을 캠페인", {}),
        ("lead", TeamAction.EXPORTED, "가을 캠페인", {}),
        ("lead", TeamAction.CAMPAIGN_DELETED, "가을 캠페인", {}),
    ]
    moved = TeamActivity.objects.get(action=TeamAction.STAGE_MOVED)
    with translation.override("ko"):
        assert moved.change_text == "후보 → 연락"
    with translation.override("en"):
        assert moved.change_text == "Candidate → Contacted"


def test_the_shortlist_api_names_who_added_and_who_wrote_each_note():
    lead = BrandFactory(username="lead")
    team = services.team_personal_ensure(user=lead)
    kim = BrandFactory(username="kim")
    team_member_add(team, kim, TeamRole.MANAGER)
    influencer = InfluencerFactory(handle="pick")
    classified_post(influencer, "romantic", 10)
    campaign = services.campaign_create(user=lead, **FORM)
    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=kim)
    services.shortlist_note_add(entry=entry, user=lead, note="좋아요")
    client = Client()
    client.force_login(kim)
    (shortlisted,) = client.get(f"/api/v1/campaigns/{campaign.pk}/").json()["shortlist"]
    assert shortlisted["added_by"] == "kim"
    assert [(h["changed_by"], h["note"]) for h in shortlisted["history"]] == [
        ("kim", ""),
        ("lead", "좋아요"),
    ]
