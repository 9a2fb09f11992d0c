"""Team reads, and the one check every shared object goes through: is this user a member with
at least this role? Asked per request from the membership rows, never cached in the session, so
a removed member loses access at once on pages and through API tokens."""

from django.conf import settings
from django.core import signing
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from accounts.teams.choices import ROLE_RANK, TeamRole, roles_at_least
from accounts.teams.constants import ACTIVITY_PAGE_ROWS, INVITATION_TOKEN_SALT
from accounts.teams.models import Team, TeamActivity, TeamInvitation, TeamMembership
from common.errors import ApplicationError, NotFoundError, PermissionDeniedError

ROLE_REFUSALS = {
    TeamRole.MANAGER: _("Viewers can read and export; a manager or the owner can change this."),
    TeamRole.OWNER: _("Only the team's owner can manage members."),
}


def role_allows(*, role: str | None, need: str) -> bool:
    """Whether a member with `role` may do what `need` may: the one home of that rule."""
    return role is not None and ROLE_RANK[TeamRole(role)] >= ROLE_RANK[TeamRole(need)]


def role_check(*, role: str, need: str) -> None:
    """PermissionDeniedError (403) unless `role` may do what `need` may.

    A member who lacks the role gets 403; a stranger never reaches here (404 before)."""
    if not role_allows(role=role, need=need):
        raise PermissionDeniedError(str(ROLE_REFUSALS[TeamRole(need)]), code="team_role")


def member_role_subquery(*, user, team_field: str = "team"):
    """The user's role in the row's team, for annotating a queryset (None for a stranger)."""
    return Subquery(
        TeamMembership.objects.filter(team=OuterRef(team_field), user=user).values("role")[:1]
    )


def team_list_for_member(*, user, need: str = TeamRole.VIEWER):
    """The teams the user belongs to with at least `need`, each with `member_role`."""
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(
        memberships__user=user, memberships__role__in=roles_at_least(need)
    ).annotate(member_role=member_role_subquery(user=user, team_field="pk"))


def team_get_for_member(*, user, team_id, need: str = TeamRole.VIEWER) -> Team:
    """The team if the user belongs to it: NotFoundError for a stranger (the same answer as a
    missing id), PermissionDeniedError for a member without `need`."""
    try:
        team = team_list_for_member(user=user).get(pk=int(team_id))
    except (Team.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError() from None
    role_check(role=team.member_role, need=need)
    return team


def team_list_held_alone(*, user):
    """The teams whose only member is `user`: what account withdrawal deletes (with their
    campaigns) when that account goes; a team with anyone else left stays theirs."""
    # Counted over all memberships: filtering on the user's first would count only that one.
    mine = TeamMembership.objects.filter(user=user).values("team")
    return Team.objects.filter(pk__in=mine).annotate(members=Count("memberships")).filter(members=1)


def team_default_for(*, user) -> Team | None:
    """Where a member's new campaign or brand recommendation goes when no team is named: the
    team they own, else the first they manage."""
    teams = list(team_list_for_member(user=user, need=TeamRole.MANAGER))
    teams.sort(key=lambda t: (t.member_role != TeamRole.OWNER, t.pk))
    return teams[0] if teams else None


def team_members(*, team: Team):
    return team.memberships.select_related("user").order_by("joined_at", "id")


def team_membership_get(*, team: Team, membership_id) -> TeamMembership:
    try:
        return team_members(team=team).get(pk=int(membership_id))
    except (TeamMembership.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError() from None


def team_owner_count(*, team: Team) -> int:
    return team.memberships.filter(role=TeamRole.OWNER).count()


def team_invitations_open(*, team: Team):
    return team.invitations.filter(accepted_at__isnull=True, cancelled_at__isnull=True)


def team_invitation_get(*, team: Team, invitation_id) -> TeamInvitation:
    try:
        return team_invitations_open(team=team).get(pk=int(invitation_id))
    except (TeamInvitation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError() from None


def team_activity_list(*, team: Team, limit: int = ACTIVITY_PAGE_ROWS):
    return TeamActivity.objects.filter(team=team).order_by("-created_at", "-id")[:limit]


def invitation_token_make(*, invitation: TeamInvitation) -> str:
    """A signed, time-stamped token naming the invitation (and its e-mail, so a row reused for
    another address would not match)."""
    return signing.dumps(
        {"i": invitation.pk, "e": invitation.email.lower()},
        salt=INVITATION_TOKEN_SALT,
        compress=True,
    )


def invitation_from_token(*, token: str) -> TeamInvitation:
    """The open invitation a link names. ApplicationError with a stable code when the link was
    altered, has expired, was used or cancelled: each says what to do next."""
    try:
        data = signing.loads(
            token, salt=INVITATION_TOKEN_SALT, max_age=settings.TEAM_INVITATION_MAX_AGE
        )
        invitation = TeamInvitation.objects.select_related("team").get(
            pk=int(data["i"]), email__iexact=str(data["e"])
        )
    except signing.SignatureExpired:
        raise ApplicationError(
            str(_("This invitation has expired. Ask the team's owner for a new one.")),
            code="invitation_expired",
        ) from None
    except (signing.BadSignature, TeamInvitation.DoesNotExist, KeyError, TypeError, ValueError):
        raise NotFoundError() from None
    if invitation.accepted_at is not None:
        raise ApplicationError(str(_("This invitation was already used.")), code="invitation_used")
    if invitation.cancelled_at is not None:
        raise ApplicationError(
            str(_("This invitation was cancelled.")), code="invitation_cancelled"
        )
    return invitation
