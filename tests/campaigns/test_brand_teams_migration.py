"""The data migration that makes every brand account a one-person team (campaigns 0004_brand_teams):
rows made with the historic models before it, checked after it, and after migrating back.

Runs on SQLite and on PostgreSQL (DATABASE_URL): see docs/teams.md."""

import pytest
from django.db import connection

from tests.migration_steps import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("accounts", "0003_login_by_username_key"),
    ("campaigns", "0002_field_limits_and_labels"),
    ("recommender", "0006_any_gender_and_body_size"),
]
AFTER = [("campaigns", "0005_team_required"), ("recommender", "0007_request_team")]


def historic_user(apps, username, role, brand_name=""):
    return apps.get_model("accounts", "User").objects.create(
        username=username, username_key=username, role=role, brand_name=brand_name
    )


def old_rows(apps):
    """A database as it was before teams: every table the migration touches has rows."""
    Campaign = apps.get_model("campaigns", "Campaign")
    ShortlistEntry = apps.get_model("campaigns", "ShortlistEntry")
    StageChange = apps.get_model("campaigns", "StageChange")
    CampaignImage = apps.get_model("campaigns", "CampaignImage")
    Request = apps.get_model("recommender", "RecommendationRequest")

    spring = historic_user(apps, "spring", "brand", "봄브랜드")
    nameless = historic_user(apps, "nameless", "brand", "")
    shopper = historic_user(apps, "shopper", "consumer")
    # Switched from brand to consumer by staff while holding a campaign.
    switched = historic_user(apps, "switched", "consumer")
    rows = {}
    for user in (spring, nameless, switched):
        campaign = Campaign.objects.create(
            owner=user, name=f"{user.username} 캠페인", target_gender="F", target_body_size="M"
        )
        entry = ShortlistEntry.objects.create(campaign=campaign, handle=f"{user.username}_pick")
        StageChange.objects.create(entry=entry, to_stage="candidate", note="메모", changed_by=user)
        request = Request.objects.create(
            user=user, image="queries/x.jpg", mode="brand", gender="F", body_size="M"
        )
        CampaignImage.objects.create(campaign=campaign, recommendation=request)
        rows[user.username] = (campaign.pk, entry.pk, request.pk)
    rows["shopper_request"] = Request.objects.create(
        user=shopper, image="queries/y.jpg", mode="consumer", gender="F", body_size="M"
    ).pk
    return rows


def test_every_brand_becomes_a_one_person_team_and_back(at_leaf):
    apps = migrate(BEFORE)
    rows = old_rows(apps)

    apps = migrate(AFTER)
    Team = apps.get_model("accounts", "Team")
    Campaign = apps.get_model("campaigns", "Campaign")
    ShortlistEntry = apps.get_model("campaigns", "ShortlistEntry")
    Request = apps.get_model("recommender", "RecommendationRequest")
    teams = {
        t.memberships.get().user.username: (t.name, t.memberships.get().role)
        for t in Team.objects.all()
    }
    assert teams == {
        "spring": ("봄브랜드", "owner"),
        "nameless": ("nameless", "owner"),  # no brand name: the username
        "switched": ("switched", "owner"),  # holds a campaign: it needs a team
    }
    for username in ("spring", "nameless", "switched"):
        campaign_id, entry_id, request_id = rows[username]
        campaign = Campaign.objects.get(pk=campaign_id)
        assert campaign.team.memberships.get().user.username == username
        assert campaign.created_by.username == username
        assert ShortlistEntry.objects.get(pk=entry_id).added_by.username == username
        expected_team = campaign.team_id if username != "switched" else None
        assert Request.objects.get(pk=request_id).team_id == expected_team
    assert Request.objects.get(pk=rows["shopper_request"]).team_id is None
    assert ShortlistEntry.objects.get(pk=rows["spring"][1]).history.get().note == "메모"

    # After the change a teammate made a campaign, then their account went.
    User = apps.get_model("accounts", "User")
    spring_team = Campaign.objects.get(pk=rows["spring"][0]).team
    helper = historic_user(apps, "helper", "brand")
    apps.get_model("accounts", "TeamMembership").objects.create(
        team=spring_team, user=helper, role="manager"
    )
    orphan = Campaign.objects.create(
        team=spring_team,
        created_by=helper,
        name="도우미 캠페인",
        target_gender="M",
        target_body_size="L",
    )
    User.objects.filter(pk=helper.pk).delete()

    apps = migrate(BEFORE)
    Campaign = apps.get_model("campaigns", "Campaign")
    owners = dict(Campaign.objects.values_list("pk", "owner__username"))
    assert owners == {
        rows["spring"][0]: "spring",
        rows["nameless"][0]: "nameless",
        rows["switched"][0]: "switched",
        orphan.pk: "spring",  # the team's owner takes it: nothing lost
    }
    assert apps.get_model("campaigns", "ShortlistEntry").objects.count() == 3
    assert apps.get_model("recommender", "RecommendationRequest").objects.count() == 4
    assert "accounts_team" not in connection.introspection.table_names()


def test_migrating_again_after_going_back_gives_the_same_teams(at_leaf):
    apps = migrate(BEFORE)
    old_rows(apps)
    migrate(AFTER)
    apps = migrate(BEFORE)
    apps = migrate(AFTER)
    Team = apps.get_model("accounts", "Team")
    assert sorted(Team.objects.values_list("name", flat=True)) == [
        "nameless",
        "switched",
        "봄브랜드",
    ]
    assert apps.get_model("campaigns", "Campaign").objects.filter(team__isnull=True).count() == 0
