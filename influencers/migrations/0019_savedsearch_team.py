"""Saved searches join the team (docs/teams.md): a brand member's search belongs to their team
and says who saved it; a consumer's stays personal.

Forward: adds SavedSearch.team; each brand user's searches go to the team they work in, the rule
new searches follow (accounts.teams.selectors.team_default_for): the team they own (the one-person
team campaigns 0004_brand_teams made them), else the first they manage. A brand user in no such
team keeps their searches personal (they still see them). Consumers' searches stay personal.
Backward: every search is personal again (its `user`, who saved it), then the column goes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BRAND = "brand"
OWNER = "owner"
MANAGER = "manager"


def searches_to_teams(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    TeamMembership = apps.get_model("accounts", "TeamMembership")
    SavedSearch = apps.get_model("influencers", "SavedSearch")

    savers = SavedSearch.objects.filter(team__isnull=True).values("user")
    for user in User.objects.filter(role=BRAND, pk__in=savers).order_by("pk").iterator():
        memberships = TeamMembership.objects.filter(user=user).order_by("team_id")
        membership = (
            memberships.filter(role=OWNER).first() or memberships.filter(role=MANAGER).first()
        )
        if membership is not None:
            SavedSearch.objects.filter(user=user, team__isnull=True).update(
                team_id=membership.team_id
            )


def searches_to_users(apps, schema_editor):
    apps.get_model("influencers", "SavedSearch").objects.update(team=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_teams"),
        ("influencers", "0018_graphcredential_checked_fingerprint"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="savedsearch",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="saved_searches",
                to="accounts.team",
                verbose_name="team",
            ),
        ),
        migrations.AlterField(
            model_name="savedsearch",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="saved_searches",
                to=settings.AUTH_USER_MODEL,
                verbose_name="saved by",
            ),
        ),
        migrations.AddIndex(
            model_name="savedsearch",
            index=models.Index(fields=["team", "-created_at"], name="saved_search_by_team"),
        ),
        migrations.RunPython(searches_to_teams, searches_to_users),
    ]
