"""The named values of teams: roles and the kinds of activity a team page lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamRole(models.TextChoices):
    """What a member may do: owner > manager > viewer (each may do what the ones below may)."""

    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    VIEWER = "viewer", _("Viewer")


# The one home of the ordering: `need=TeamRole.MANAGER` admits managers and owners.
ROLE_RANK = {TeamRole.VIEWER: 1, TeamRole.MANAGER: 2, TeamRole.OWNER: 3}
# Roles an invitation may give; ownership moves only by a transfer.
INVITABLE_ROLES = (TeamRole.MANAGER, TeamRole.VIEWER)


def roles_at_least(need: str) -> list[str]:
    """The roles that may do what `need` may."""
    return [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[TeamRole(need)]]


class TeamAction(models.TextChoices):
    CAMPAIGN_CREATED = "campaign_created", _("created a campaign")
    CAMPAIGN_DELETED = "campaign_deleted", _("deleted a campaign")
    IMAGE_ADDED = "image_added", _("asked for recommendations")
    SHORTLISTED = "shortlisted", _("shortlisted")
    STAGE_MOVED = "stage_moved", _("moved a stage")
    NOTE_ADDED = "note_added", _("added a note")
    EXPORTED = "exported", _("exported a shortlist")
    INVITED = "invited", _("invited")
    JOINED = "joined", _("joined")
    REMOVED = "removed", _("removed")
    LEFT = "left", _("left")
    ROLE_CHANGED = "role_changed", _("changed a role")
    OWNERSHIP_TRANSFERRED = "ownership_transferred", _("handed ownership to")
    INVITATION_CANCELLED = "invitation_cancelled", _("cancelled an invitation")
    SEARCH_SAVED = "search_saved", _("saved a search")
    SEARCH_DELETED = "search_deleted", _("deleted a saved search")
