"""The migration that gives brand users' saved searches to their team (influencers
0019_savedsearch_team): rows made with the historic models before it, checked after it, and after
migrating back.

Runs on SQLite and on PostgreSQL (DATABASE_URL), like tests/campaigns/test_brand_teams_migration.py."""

import pytest
from django.db import connection

from tests.migration_steps import migrate

pytestmark = pytest.mark.django_db(transaction=True)

# Teams exist (campaigns 0004_brand_teams made every brand a one-person team), saved searches
# are still per user. accounts at its latest: the historic User then has every column the table has.
ACCOUNTS = ("accounts", "0008_team_activity_saved_searches")
BEFORE = [ACCOUNTS, ("influencers", "0017_catalogue_scale"), ("campaigns", "0005_team_required")]
AFTER = [ACCOUNTS, ("influencers", "0019_savedsearch_team"), ("campaigns", "0005_team_required")]


def old_rows(apps):
    """Saved searches of a brand with its one-person team, of a brand who also manages another
    team, of a brand in no team it may write to, and of a consumer."""
    User = apps.get_model("accounts", "User")
    Team = apps.get_model("accounts", "Team")
    TeamMembership = apps.get_model("accounts", "TeamMembership")
    SavedSearch = apps.get_model("influencers", "SavedSearch")

    def user(username, role):
        return User.objects.create(username=username, username_key=username, role=role)

    def team(name, *members):
        made = Team.objects.create(name=name)
        for member, role in members:
            TeamMembership.objects.create(team=made, user=member, role=role)
        return made

    spring, helper, watcher = user("spring", "brand"), user("helper", "brand"), user("w", "brand")
    shopper = user("shopper", "consumer")
    teams = {
        # The agency's team comes first: the brand's own team wins all the same.
        "agency": team("대행사", (helper, "owner"), (spring, "manager")),
        "spring": team("봄브랜드", (spring, "owner")),
        "watched": team("지켜보는 팀", (helper, "manager"), (watcher, "viewer")),
    }
    searches = {}
    for saver in (spring, helper, watcher, shopper):
        searches[saver.username] = SavedSearch.objects.create(
            user=saver, name=f"{saver.username} 검색", query="q=a"
        ).pk
    return {name: t.pk for name, t in teams.items()}, searches


def teams_of(apps, searches):
    SavedSearch = apps.get_model("influencers", "SavedSearch")
    return {
        name: SavedSearch.objects.values_list("team_id", flat=True).get(pk=pk)
        for name, pk in searches.items()
    }


def test_brand_users_searches_go_to_the_team_they_own_and_back(at_leaf):
    apps = migrate(BEFORE)
    teams, searches = old_rows(apps)

    apps = migrate(AFTER)
    assert teams_of(apps, searches) == {
        "spring": teams["spring"],  # owns its one-person team (and manages the agency's)
        "helper": teams["agency"],  # owns the agency's team, manages another
        "w": None,  # only a viewer: keeps the search personal, still theirs
        "shopper": None,  # a consumer: personal
    }
    SavedSearch = apps.get_model("influencers", "SavedSearch")
    assert dict(SavedSearch.objects.values_list("pk", "user__username")) == {
        pk: name for name, pk in searches.items()
    }  # who saved each is kept

    apps = migrate(BEFORE)
    SavedSearch = apps.get_model("influencers", "SavedSearch")
    assert sorted(SavedSearch.objects.values_list("user__username", flat=True)) == sorted(searches)
    assert "team_id" not in {
        column.name
        for column in connection.introspection.get_table_description(
            connection.cursor(), SavedSearch._meta.db_table
        )
    }

    apps = migrate(AFTER)  # and forward again gives the same answer
    assert teams_of(apps, searches)["spring"] == teams["spring"]
