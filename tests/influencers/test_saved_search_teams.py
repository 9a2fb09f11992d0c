"""A brand member's saved searches are the team's (docs/teams.md): each says who saved it,
managers and owners save and delete, viewers open, a removed member loses them at once, and
saving or deleting leaves a line in the team's activity."""

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import translation

from accounts.teams.choices import TeamAction, TeamRole
from accounts.teams.models import TeamActivity
from accounts.teams.selectors import team_activity_list
from accounts.teams.services import team_create, team_member_remove, team_personal_ensure
from accounts.tokens import api_token_create
from common.errors import PermissionDeniedError
from influencers.constants import SAVED_SEARCHES_MAX
from influencers.models import SavedSearch
from influencers.services.saved_searches import saved_search_create, saved_search_delete
from tests.factories import BrandFactory, UserFactory, team_member_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_world():
    owner = BrandFactory(username="owner", brand_name="봄브랜드")
    team = team_personal_ensure(user=owner)
    manager, viewer = BrandFactory(username="manager"), BrandFactory(username="viewer")
    memberships = {
        "manager": team_member_add(team, manager, TeamRole.MANAGER),
        "viewer": team_member_add(team, viewer, TeamRole.VIEWER),
    }
    return owner, manager, viewer, team, memberships


def token_client(user) -> Client:
    _, token = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def test_a_managers_search_is_the_teams_and_the_page_says_who_saved_it(team_world):
    owner, manager, viewer, team, _ = team_world
    client = Client()
    client.force_login(manager)
    response = client.post("/influencers/saved-searches/", {"name": "원피스", "query": "q=dress"})
    assert response.status_code == 302
    saved = SavedSearch.objects.get()
    assert (saved.team, saved.user) == (team, manager)
    client.force_login(viewer)
    page = client.get("/influencers/saved-searches/").content.decode()
    assert "원피스" in page and "봄브랜드 · manager 님이 저장" in page  # Korean by default
    api = token_client(owner).get("/api/v1/saved-searches/").json()["results"]
    assert [(s["name"], s["saved_by"], s["team"], s["role"]) for s in api] == [
        ("원피스", "manager", team.pk, "owner")
    ]


def test_a_viewer_opens_a_team_search_but_sees_no_delete_form_and_cannot_delete(team_world):
    owner, manager, viewer, team, _ = team_world
    saved = saved_search_create(user=owner, name="봄", filters=QueryDict("q=a"))
    client = Client()
    client.force_login(viewer)
    page = client.get("/influencers/saved-searches/").content.decode()
    assert "봄" in page and f"/saved-searches/{saved.pk}/delete/" not in page
    assert client.get(f"/influencers/saved-searches/{saved.pk}/").status_code == 302
    with pytest.raises(PermissionDeniedError):
        saved_search_delete(user=viewer, saved_search_id=saved.pk)
    client.force_login(manager)
    page = client.get("/influencers/saved-searches/").content.decode()
    assert f"/saved-searches/{saved.pk}/delete/" in page


def test_a_removed_member_loses_the_teams_searches_at_once_on_pages_and_api(team_world):
    owner, manager, viewer, team, memberships = team_world
    saved = saved_search_create(user=manager, name="봄", filters=QueryDict("q=a"))
    page, api = Client(), token_client(manager)
    page.force_login(manager)
    assert page.get(f"/influencers/saved-searches/{saved.pk}/").status_code == 302
    assert api.get(f"/api/v1/saved-searches/{saved.pk}/").status_code == 200

    team_member_remove(team=team, actor=owner, membership_id=memberships["manager"].pk)

    assert page.get(f"/influencers/saved-searches/{saved.pk}/").status_code == 404
    assert "봄" not in page.get("/influencers/saved-searches/").content.decode()
    assert api.get(f"/api/v1/saved-searches/{saved.pk}/").status_code == 404
    assert api.delete(f"/api/v1/saved-searches/{saved.pk}/").status_code == 404
    assert api.get("/api/v1/saved-searches/").json()["results"] == []
    assert SavedSearch.objects.filter(pk=saved.pk, team=team).exists()  # still the team's


def test_saving_and_deleting_a_team_search_shows_in_the_team_activity(team_world):
    owner, manager, viewer, team, _ = team_world
    saved = saved_search_create(user=manager, name="봄 원피스", filters=QueryDict("q=a"))
    saved_search_delete(user=owner, saved_search_id=saved.pk)
    rows = [(r.actor_name, r.action, r.subject) for r in team_activity_list(team=team)]
    assert rows[:2] == [
        ("owner", TeamAction.SEARCH_DELETED, "봄 원피스"),
        ("manager", TeamAction.SEARCH_SAVED, "봄 원피스"),
    ]
    client = Client()
    client.force_login(viewer)
    with translation.override("ko"):
        page = client.get(f"/teams/{team.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "manager</strong> 검색을 저장함" in page
    assert "owner</strong> 저장한 검색을 삭제함" in page


def test_a_member_of_two_teams_picks_where_the_search_goes(team_world):
    owner, manager, viewer, team, _ = team_world
    other = team_create(owner=BrandFactory(username="agency"), name="대행사")
    team_member_add(other, manager, TeamRole.MANAGER)
    client = Client()
    client.force_login(manager)
    assert 'name="team"' in client.get("/influencers/?q=dress").content.decode()
    response = client.post(
        "/influencers/saved-searches/", {"name": "대행사 검색", "query": "q=a", "team": other.pk}
    )
    assert response.status_code == 302
    assert SavedSearch.objects.get(name="대행사 검색").team == other
    api = token_client(manager).post(
        "/api/v1/saved-searches/",
        {"name": "기본", "query": "q=a"},
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["team"] == team.pk  # none named: the default


def test_a_team_keeps_at_most_the_limit_of_saved_searches(team_world):
    owner, manager, viewer, team, _ = team_world
    SavedSearch.objects.bulk_create(
        SavedSearch(user=owner, team=team, name=f"s{n}", query="q=a")
        for n in range(SAVED_SEARCHES_MAX)
    )
    response = token_client(manager).post(
        "/api/v1/saved-searches/",
        {"name": "하나 더", "query": "q=a"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_saved_searches"
    assert not TeamActivity.objects.filter(action=TeamAction.SEARCH_SAVED).exists()


def test_a_consumers_searches_stay_personal_and_leave_no_activity():
    consumer = UserFactory(username="shopper")
    saved = saved_search_create(user=consumer, name="내 검색", filters=QueryDict("q=a"))
    assert saved.team is None
    saved_search_delete(user=consumer, saved_search_id=saved.pk)
    assert not SavedSearch.objects.exists() and not TeamActivity.objects.exists()
