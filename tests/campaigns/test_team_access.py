"""Every page and endpoint that reaches a team's objects, for every kind of visitor
(docs/teams.md): owner, manager, viewer, a member of another team, a consumer.

A stranger gets 404 with the body a missing id gets; a member whose role is too low gets 403
(viewers read and export, managers work, owners manage members); pages are posted through a
CSRF-enforcing client and the API through real tokens."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import Client

from accounts.teams.choices import TeamRole
from accounts.teams.models import TeamInvitation
from accounts.tokens import api_token_create
from campaigns import services
from campaigns.models import Campaign
from influencers.models import SavedSearch
from influencers.services.saved_searches import saved_search_create
from recommender.services.requests import recommendation_create
from tests.conftest import jpeg_bytes
from tests.factories import (
    BrandFactory,
    InfluencerFactory,
    UserFactory,
    classified_post,
    team_member_add,
)
from tests.web.test_web_experience import without_per_request_parts

pytestmark = pytest.mark.django_db

MISSING = 999999
VIEWER, MANAGER, OWNER = TeamRole.VIEWER, TeamRole.MANAGER, TeamRole.OWNER
ACTORS = ["owner", "manager", "viewer", "outsider", "consumer"]


@pytest.fixture
def world():
    """One team (owner, manager, viewer, and `extra`, a viewer the owner's actions act on),
    its campaign with one shortlisted influencer, a team recommendation, a team saved search,
    an open invitation; and people outside it, with searches of their own."""
    owner = BrandFactory(username="owner", brand_name="봄브랜드")
    team = services.team_personal_ensure(user=owner)
    people = {"owner": owner}
    for name, role in [("manager", MANAGER), ("viewer", VIEWER), ("extra", VIEWER)]:
        people[name] = BrandFactory(username=name)
        people[name + "_membership"] = team_member_add(team, people[name], role)
    people["outsider"] = BrandFactory(username="outsider")
    services.campaign_create(
        user=people["outsider"], name="남의 캠페인", target_gender="F", target_body_size="M"
    )
    people["consumer"] = UserFactory(username="consumer")
    campaign = services.campaign_create(
        user=owner, name="봄 원피스", target_gender="F", target_body_size="M"
    )
    first, second = (InfluencerFactory(handle=h) for h in ("first_pick", "second_pick"))
    classified_post(first, "romantic", 100)
    entry = services.shortlist_add(campaign=campaign, influencer_id=first.pk, user=owner)
    recommendation = recommendation_create(
        user=people["manager"],
        image=SimpleUploadedFile("p.jpg", jpeg_bytes()),
        mode="brand",
        gender="F",
        body_size="M",
    )
    search = saved_search_create(
        user=people["manager"], name="봄 검색", filters=QueryDict("q=dress")
    )
    saved_search_create(user=people["outsider"], name="남의 검색", filters=QueryDict("q=a"))
    saved_search_create(user=people["consumer"], name="내 검색", filters=QueryDict("q=b"))
    invitation = TeamInvitation.objects.create(
        team=team, email="new@example.com", role=VIEWER, invited_by=owner
    )
    ids = {
        "c": campaign.pk,
        "e": entry.pk,
        "t": team.pk,
        "m": people["extra_membership"].pk,
        "i": invitation.pk,
        "r": recommendation.pk,
        "inf": second.pk,
        "s": search.pk,
    }
    assert recommendation.team_id == team.pk  # a manager's brand request is the team's
    assert search.team_id == team.pk  # and so is a manager's saved search
    return people, ids


# (method, path, data, the role it needs, what refuses a consumer first)
# "brands": the campaign pages' brands-only answer (403); "member": not a member, 404.
PAGES = [
    ("get", "/campaigns/{c}/", None, VIEWER, "brands"),
    ("get", "/campaigns/{c}/shortlist.csv", None, VIEWER, "brands"),
    ("post", "/campaigns/{c}/", "image", MANAGER, "brands"),
    ("get", "/campaigns/{c}/delete/", None, MANAGER, "brands"),
    ("post", "/campaigns/{c}/delete/", {"confirm": "yes"}, MANAGER, "brands"),
    ("post", "/campaigns/{c}/shortlist/", {"influencer_id": "{inf}"}, MANAGER, "brands"),
    (
        "post",
        "/campaigns/shortlist/",
        {"campaign": "{c}", "influencer_id": "{inf}"},
        MANAGER,
        "brands",
    ),
    (
        "post",
        "/campaigns/{c}/shortlist/{e}/stage/",
        {"entry-{e}-note": "전화함"},
        MANAGER,
        "brands",
    ),
    ("get", "/teams/{t}/", None, VIEWER, "member"),
    ("post", "/teams/{t}/invite/", {"email": "a@example.com", "role": "viewer"}, OWNER, "member"),
    ("post", "/teams/{t}/members/{m}/role/", {"member-{m}-role": "manager"}, OWNER, "member"),
    ("post", "/teams/{t}/members/{m}/remove/", {}, OWNER, "member"),
    ("post", "/teams/{t}/members/{m}/owner/", {}, OWNER, "member"),
    ("post", "/teams/{t}/invitations/{i}/cancel/", {}, OWNER, "member"),
    # Anyone in the team may leave (the last owner is told to hand over first: a message).
    ("post", "/teams/{t}/leave/", {}, VIEWER, "member"),
    ("get", "/recommendations/{r}/", None, VIEWER, "member"),
    ("get", "/recommendations/{r}/result/", None, VIEWER, "member"),
    ("get", "/recommendations/{r}/thumbnail.jpg", None, VIEWER, "member"),
    ("get", "/recommendations/{r}/delete/", None, MANAGER, "member"),
    ("post", "/recommendations/{r}/delete/", {"confirm": "yes"}, MANAGER, "member"),
    ("get", "/influencers/saved-searches/{s}/", None, VIEWER, "member"),
    ("post", "/influencers/saved-searches/{s}/delete/", {}, MANAGER, "member"),
]
CAMPAIGN = {"name": "여름 캠페인", "target_gender": "F", "target_body_size": "M"}
SEARCH = {"name": "여름 검색", "query": "q=summer"}
APIS = [
    ("get", "/api/v1/teams/{t}/", None, VIEWER, "member"),
    ("get", "/api/v1/campaigns/{c}/", None, VIEWER, "brands"),
    ("get", "/api/v1/campaigns/{c}/shortlist.csv", None, VIEWER, "brands"),
    ("delete", "/api/v1/campaigns/{c}/", None, MANAGER, "brands"),
    ("post", "/api/v1/campaigns/{c}/shortlist/", {"influencer_id": "{inf}"}, MANAGER, "brands"),
    ("patch", "/api/v1/campaigns/{c}/shortlist/{e}/", {"note": "전화함"}, MANAGER, "brands"),
    ("post", "/api/v1/campaigns/{c}/images/", "image", MANAGER, "brands"),
    ("get", "/api/v1/recommendations/{r}/", None, VIEWER, "member"),
    ("delete", "/api/v1/recommendations/{r}/", None, MANAGER, "member"),
    # Creating in a named team: a viewer there is refused, anyone else does not find it.
    ("post", "/api/v1/campaigns/", {**CAMPAIGN, "team": "{t}"}, MANAGER, "brands"),
    ("post", "/api/v1/saved-searches/", {**SEARCH, "team": "{t}"}, MANAGER, "member"),
    ("get", "/api/v1/saved-searches/{s}/", None, VIEWER, "member"),
    ("delete", "/api/v1/saved-searches/{s}/", None, MANAGER, "member"),
]
# Lists answer everyone signed in with what is theirs: (path, what shows the team's object,
# what refuses a consumer first). "brands": the brands-only 403; "own": their own list.
LISTS = [
    ("/campaigns/", "봄 원피스", "brands"),
    ("/api/v1/campaigns/", "봄 원피스", "brands"),
    ("/history/", "/recommendations/{r}/", "own"),
    ("/api/v1/recommendations/", '"id":{r},', "own"),
    ("/influencers/saved-searches/", "봄 검색", "own"),
    ("/api/v1/saved-searches/", "봄 검색", "own"),
    ("/influencers/?q=dress", "봄 검색", "own"),
]
# The new-campaign and save-search forms name the team; the form offers only the teams the
# member may add to, and with one (or none) asks nothing: what is posted lands in the member's
# own team, so a viewer's or a stranger's post never reaches this team. (path, data, model)
CREATE_PAGES = [
    ("/campaigns/", {**CAMPAIGN, "team": "{t}"}, Campaign),
    ("/influencers/saved-searches/", {**SEARCH, "team": "{t}"}, SavedSearch),
]
RANK = {VIEWER: 1, MANAGER: 2, OWNER: 3}


def expected_status(actor: str, need: str, consumer_answer: str) -> str:
    if actor == "consumer":
        return "403" if consumer_answer == "brands" else "404"
    if actor == "outsider":
        return "404"
    return "ok" if RANK[TeamRole(actor)] >= RANK[need] else "403"


def filled(value, ids: dict, *, missing: bool = False):
    if value is None or value == "image":
        return value
    fill = (
        (lambda s: s.format(**{k: MISSING for k in ids}))
        if missing
        else (lambda s: s.format(**ids))
    )
    if isinstance(value, str):
        return fill(value)
    return {fill(k): fill(v) for k, v in value.items()}


def csrf_client(user) -> Client:
    """A logged-in client that enforces CSRF like a browser, with the token a page gave it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/teams/")  # any page with a form sets the CSRF cookie
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def page_request(client, method, path, data):
    if data == "image":
        data = {"image": SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")}
    return (
        getattr(client, method)(path, data) if data is not None else getattr(client, method)(path)
    )


def check(response, expected: str, *, missing_response=None):
    if expected == "ok":
        assert response.status_code < 400, response.content[:300]
    else:
        assert response.status_code == int(expected), response.content[:300]
    if expected == "404" and missing_response is not None:
        # A stranger learns nothing: the very body a missing id gets.
        assert missing_response.status_code == 404
        assert without_per_request_parts(response.content) == without_per_request_parts(
            missing_response.content
        )


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    "method,path,data,need,consumer_answer", PAGES, ids=[f"{m} {p}" for m, p, *_ in PAGES]
)
def test_each_page_answers_each_kind_of_visitor_by_their_role(
    world, actor, method, path, data, need, consumer_answer
):
    people, ids = world
    client = csrf_client(people[actor])
    expected = expected_status(actor, need, consumer_answer)
    response = page_request(client, method, filled(path, ids), filled(data, ids))
    missing = None
    if expected == "404":
        missing = page_request(
            client, method, filled(path, ids, missing=True), filled(data, ids, missing=True)
        )
    check(response, expected, missing_response=missing)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    "method,path,data,need,consumer_answer", APIS, ids=[f"{m} {p}" for m, p, *_ in APIS]
)
def test_each_endpoint_answers_each_kind_of_visitor_by_their_role(
    world, actor, method, path, data, need, consumer_answer
):
    people, ids = world
    client = Client()
    _, token = api_token_create(user=people[actor])
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}

    def call(missing=False):
        body = filled(data, ids, missing=missing)
        url = filled(path, ids, missing=missing)
        if body == "image":
            image = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
            return getattr(client, method)(url, {"image": image}, **headers)
        if body is None:
            return getattr(client, method)(url, **headers)
        return getattr(client, method)(url, body, content_type="application/json", **headers)

    expected = expected_status(actor, need, consumer_answer)
    response = call()
    check(response, expected, missing_response=call(missing=True) if expected == "404" else None)


def test_a_post_without_the_csrf_token_is_refused(world):
    people, ids = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["owner"])
    response = client.post(f"/teams/{ids['t']}/members/{ids['m']}/remove/")
    assert response.status_code == 403
    assert people["extra"].team_memberships.exists()


def test_lists_show_only_the_teams_own_campaigns(world):
    people, ids = world
    for actor in ("owner", "manager", "viewer"):
        client = Client()
        client.force_login(people[actor])
        page = client.get("/campaigns/").content.decode()
        assert "봄 원피스" in page and "남의 캠페인" not in page
        api = client.get("/api/v1/campaigns/").json()
        assert [c["name"] for c in api["results"]] == ["봄 원피스"]
        assert api["results"][0]["role"] == actor
    client = Client()
    client.force_login(people["outsider"])
    assert "봄 원피스" not in client.get("/campaigns/").content.decode()
    teams = client.get("/api/v1/teams/").json()["results"]
    assert [(t["name"], t["role"]) for t in teams] == [(people["outsider"].brand_name, "owner")]


def test_a_viewer_sees_no_form_that_would_change_the_campaign(world):
    people, ids = world
    client = Client()
    client.force_login(people["viewer"])
    page = client.get(f"/campaigns/{ids['c']}/").content.decode()
    assert "@first_pick" in page and "shortlist.csv" in page
    assert "/delete/" not in page and 'enctype="multipart/form-data"' not in page
    assert f"/shortlist/{ids['e']}/stage/" not in page
    client.force_login(people["manager"])
    page = client.get(f"/campaigns/{ids['c']}/").content.decode()
    assert f"/shortlist/{ids['e']}/stage/" in page and "/delete/" in page


def test_a_manager_cannot_manage_members(world):
    people, ids = world
    client = csrf_client(people["manager"])
    page = client.get(f"/teams/{ids['t']}/").content.decode()
    assert "/remove/" not in page and "/invite/" not in page
    response = client.post(
        f"/teams/{ids['t']}/members/{ids['m']}/role/", {f"member-{ids['m']}-role": "owner"}
    )
    assert response.status_code == 403
    assert people["extra_membership"].__class__.objects.get(pk=ids["m"]).role == VIEWER


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path,team_object,consumer_answer", LISTS, ids=[p for p, *_ in LISTS])
def test_each_list_shows_the_teams_objects_to_its_members_only(
    world, actor, path, team_object, consumer_answer
):
    people, ids = world
    client = Client()
    if path.startswith("/api/"):
        _, token = api_token_create(user=people[actor])
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    else:
        client.force_login(people[actor])
    response = client.get(filled(path, ids))
    if actor == "consumer" and consumer_answer == "brands":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = filled(team_object, ids) in response.content.decode()
    assert shown == (actor in ("owner", "manager", "viewer"))


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path,data,model", CREATE_PAGES, ids=[p for p, *_ in CREATE_PAGES])
def test_each_create_page_adds_to_the_team_only_for_its_owner_and_managers(
    world, actor, path, data, model
):
    people, ids = world
    client = csrf_client(people[actor])
    before = model.objects.filter(team=ids["t"]).count()
    response = client.post(path, filled(data, ids))
    if actor == "consumer" and model is Campaign:
        assert response.status_code == 403  # the brands-only page
        return
    assert response.status_code == 302, response.content[:300]
    added = model.objects.filter(team=ids["t"]).count() - before
    assert added == (1 if actor in ("owner", "manager") else 0)
    assert model.objects.filter(name=data["name"]).count() == 1  # it went somewhere: their own
