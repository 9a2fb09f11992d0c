"""Every brand account becomes a one-person team (docs/teams.md).

Forward: each brand user (and any other user who holds a campaign) gets a team named after the
brand name (the username when it is blank) with an owner membership; their campaigns, the entries
of those campaigns (added by them: they were the only one who could) and their recommendation
requests are assigned to it.
Backward: campaigns get back a creator (the team's owner where the creator's account is gone),
the team references are cleared and the teams are deleted; nothing else changes.
"""

from django.db import migrations
from django.db.models import Q

OWNER = "owner"
BRAND = "brand"


def brands_to_teams(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Team = apps.get_model("accounts", "Team")
    TeamMembership = apps.get_model("accounts", "TeamMembership")
    Campaign = apps.get_model("campaigns", "Campaign")
    ShortlistEntry = apps.get_model("campaigns", "ShortlistEntry")
    RecommendationRequest = apps.get_model("recommender", "RecommendationRequest")

    holders = Campaign.objects.filter(team__isnull=True).values("created_by")
    users = User.objects.filter(Q(role=BRAND) | Q(pk__in=holders)).order_by("pk")
    for user in users.iterator():
        team = Team.objects.create(name=(user.brand_name or user.username)[:120])
        TeamMembership.objects.create(team=team, user=user, role=OWNER)
        campaigns = Campaign.objects.filter(created_by=user, team__isnull=True)
        ShortlistEntry.objects.filter(campaign__in=campaigns, added_by__isnull=True).update(
            added_by=user
        )
        campaigns.update(team=team)
        if user.role == BRAND:
            RecommendationRequest.objects.filter(user=user, team__isnull=True).update(team=team)


def teams_to_brands(apps, schema_editor):
    Team = apps.get_model("accounts", "Team")
    TeamMembership = apps.get_model("accounts", "TeamMembership")
    Campaign = apps.get_model("campaigns", "Campaign")
    ShortlistEntry = apps.get_model("campaigns", "ShortlistEntry")
    RecommendationRequest = apps.get_model("recommender", "RecommendationRequest")

    # Before teams a campaign needed its owner's account: give orphans the team's owner.
    for campaign in Campaign.objects.filter(created_by__isnull=True).iterator():
        members = TeamMembership.objects.filter(team_id=campaign.team_id).order_by("pk")
        membership = members.filter(role=OWNER).first() or members.first()
        if membership is None:
            raise RuntimeError(
                f"campaign {campaign.pk} has neither a creator nor a team member to give it to; "
                "assign it (admin) before migrating back"
            )
        campaign.created_by_id = membership.user_id
        campaign.save(update_fields=["created_by"])
    Campaign.objects.update(team=None)
    ShortlistEntry.objects.update(added_by=None)
    RecommendationRequest.objects.update(team=None)
    Team.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_teams"),
        ("campaigns", "0003_team_fields"),
        ("recommender", "0007_request_team"),
    ]

    operations = [migrations.RunPython(brands_to_teams, teams_to_brands)]
