"""The campaigns app's part of a user's data: campaigns with their shortlists and notes, and
saved influencers (export and withdrawal, through common/user_data.py)."""

from django.db.models import Q

from accounts.teams.selectors import team_list_held_alone
from campaigns.models import Campaign, SavedInfluencer


def _users_campaigns(user):
    """The campaigns that are the user's own data: those they created, and every campaign of a
    team they alone hold (a shared team's other campaigns are its other members' work)."""
    return Campaign.objects.filter(Q(created_by=user) | Q(team__in=team_list_held_alone(user=user)))


def campaigns_export(*, user) -> list[dict]:
    campaigns = (
        _users_campaigns(user)
        .order_by("created_at", "id")
        .prefetch_related("images", "shortlist__history")
    )
    return [
        {
            "id": campaign.pk,
            "name": campaign.name,
            "brief": campaign.brief,
            "target_gender": campaign.target_gender,
            "target_body_size": campaign.target_body_size,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "created_at": campaign.created_at.isoformat(),
            "recommendation_ids": [image.recommendation_id for image in campaign.images.all()],
            "shortlist": [
                {
                    "handle": entry.handle,
                    "stage": entry.stage,
                    "notes": entry.notes,
                    "added_at": entry.added_at.isoformat(),
                    "stage_changes": [
                        {
                            "from": change.from_stage,
                            "to": change.to_stage,
                            "note": change.note,
                            "changed_at": change.changed_at.isoformat(),
                        }
                        for change in entry.history.all()
                    ],
                }
                for entry in campaign.shortlist.all()
            ],
        }
        for campaign in campaigns
    ]


def campaign_files(*, user) -> list[str]:
    return []  # a campaign's images are recommendation requests: the recommender's part


def campaigns_delete(*, user) -> int:
    """The teams the user alone holds go with their campaigns and shortlists; in a team with
    others left the campaigns stay the team's work (their creator shows as a deleted account) and
    ownership passes on (accounts.teams.services.team_memberships_release)."""
    from accounts.teams.services import team_memberships_release

    return team_memberships_release(user=user)


def saved_export(*, user) -> list[dict]:
    return [
        {"handle": saved.handle, "note": saved.note, "saved_at": saved.saved_at.isoformat()}
        for saved in SavedInfluencer.objects.filter(user=user).order_by("saved_at", "id")
    ]


def saved_files(*, user) -> list[str]:
    return []


def saved_delete(*, user) -> int:
    SavedInfluencer.objects.filter(user=user).delete()
    return 0
