"""Team writes: invitations, roles, removal, ownership, and the activity they leave behind."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.teams import selectors
from accounts.teams.choices import INVITABLE_ROLES, TeamAction, TeamRole
from accounts.teams.constants import (
    ACTIVITY_SUBJECT_MAX_LENGTH,
    OPEN_INVITATIONS_MAX,
    TEAM_MEMBERS_MAX,
)
from accounts.teams.models import Team, TeamActivity, TeamInvitation, TeamMembership
from common.errors import ApplicationError, PermissionDeniedError

log = logging.getLogger(__name__)


def team_activity_record(
    *, team: Team, actor, action: str, subject: str = "", change: dict | None = None
) -> TeamActivity:
    """One line of the team's activity list (who did what to what; `change` as codes)."""
    return TeamActivity.objects.create(
        team=team,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "",
        action=TeamAction(action),
        subject=subject[:ACTIVITY_SUBJECT_MAX_LENGTH],
        change=change or {},
    )


def team_activity_prune(*, now=None) -> int:
    """Delete activity older than TEAM_ACTIVITY_RETENTION_DAYS; returns how many rows went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TEAM_ACTIVITY_RETENTION_DAYS)
    deleted, _detail = TeamActivity.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def team_create(*, owner, name: str) -> Team:
    """A new team with `owner` as its owner."""
    with transaction.atomic():
        team = Team(name=name)
        team.full_clean()
        team.save()
        TeamMembership.objects.create(team=team, user=owner, role=TeamRole.OWNER)
    return team


def team_personal_ensure(*, user) -> Team | None:
    """The team a brand account works in: its default one, or a new one-person team named after
    the brand (an account made by admin or before teams). None for consumers."""
    team = selectors.team_default_for(user=user)
    if team is None and user.is_brand:
        team = team_create(owner=user, name=user.brand_name or user.get_username())
    return team


def _locked(team: Team) -> Team:
    """The team row locked for this transaction: two owners leaving at once cannot both pass the
    last-owner check (PostgreSQL; SQLite runs one writer at a time anyway)."""
    return Team.objects.select_for_update().get(pk=team.pk)


def team_member_invite(*, team: Team, actor, email: str, role: str, link_for) -> TeamInvitation:
    """Record an invitation and e-mail its single-use link (`link_for(token)` makes the URL).

    An open invitation to the same address is replaced, so the newest link is the one that works.
    """
    selectors.team_get_for_member(user=actor, team_id=team.pk, need=TeamRole.OWNER)
    email = (email or "").strip()
    try:
        validate_email(email)
        TeamInvitation._meta.get_field("email").run_validators(email)  # its length too
    except ValidationError:
        raise ApplicationError(_("Enter a valid e-mail address."), code="invalid_email") from None
    if role not in INVITABLE_ROLES:
        raise ApplicationError(_("Invite as a manager or a viewer."), code="invalid_role")
    if team.memberships.filter(user__email__iexact=email).exists():
        raise ApplicationError(
            _("%(email)s is already in this team.") % {"email": email}, code="already_member"
        )
    with transaction.atomic():
        _locked(team)
        open_invitations = selectors.team_invitations_open(team=team)
        open_invitations.filter(email__iexact=email).update(cancelled_at=timezone.now())
        if open_invitations.count() >= OPEN_INVITATIONS_MAX:
            raise ApplicationError(
                _("This team has %(n)d open invitations; cancel some first.")
                % {"n": OPEN_INVITATIONS_MAX},
                code="too_many_invitations",
            )
        if team.memberships.count() >= TEAM_MEMBERS_MAX:
            raise ApplicationError(
                _("A team has at most %(n)d members.") % {"n": TEAM_MEMBERS_MAX},
                code="team_full",
            )
        invitation = TeamInvitation.objects.create(
            team=team, email=email, role=role, invited_by=actor
        )
        team_activity_record(team=team, actor=actor, action=TeamAction.INVITED, subject=email)
        link = link_for(selectors.invitation_token_make(invitation=invitation))
        try:
            # Inside the transaction: without the mail, no invitation and no activity line.
            _invitation_mail(invitation=invitation, link=link)
        except (OSError, SMTPException):
            log.warning("team %s: an invitation e-mail could not be sent", team.pk, exc_info=True)
            raise ApplicationError(
                _("The invitation e-mail could not be sent; nothing was saved. Try again later."),
                code="mail_failed",
            ) from None
    return invitation


def _invitation_mail(*, invitation: TeamInvitation, link: str) -> None:
    days = settings.TEAM_INVITATION_MAX_AGE // 86400
    send_mail(
        subject=_("You are invited to the team %(team)s on StyleMatch")
        % {"team": invitation.team.name},
        message=_(
            "%(who)s invites you to the team %(team)s on StyleMatch as %(role)s.\n\n"
            "Open this link to accept (it works once, for %(days)d days, and only for an account "
            "with this e-mail address):\n%(link)s\n"
        )
        % {
            "who": invitation.invited_by.get_username() if invitation.invited_by else "StyleMatch",
            "team": invitation.team.name,
            "role": TeamRole(invitation.role).label,
            "days": days,
            "link": link,
        },
        from_email=None,
        recipient_list=[invitation.email],
    )


def team_invitation_cancel(*, team: Team, actor, invitation_id) -> TeamInvitation:
    selectors.team_get_for_member(user=actor, team_id=team.pk, need=TeamRole.OWNER)
    invitation = selectors.team_invitation_get(team=team, invitation_id=invitation_id)
    with transaction.atomic():
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        team_activity_record(
            team=team,
            actor=actor,
            action=TeamAction.INVITATION_CANCELLED,
            subject=invitation.email,
        )
    return invitation


def _mask(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


def team_invitation_accept(*, user, token: str) -> TeamMembership:
    """Join the team an invitation link names: once, before it expires, with the invited e-mail."""
    invitation = selectors.invitation_from_token(token=token)
    if not user.is_brand:
        raise PermissionDeniedError(
            _("Teams are for brand accounts: sign up as a brand to join."), code="brands_only"
        )
    if (user.email or "").strip().lower() != invitation.email.strip().lower():
        raise ApplicationError(
            _(
                "This invitation was sent to %(email)s. Log in with the account that has that "
                "e-mail address, or ask the owner to invite this account's address."
            )
            % {"email": _mask(invitation.email)},
            code="invitation_email_mismatch",
        )
    with transaction.atomic():
        _locked(invitation.team)
        # Marked used by a conditional UPDATE: a link opened twice at once joins once.
        used = TeamInvitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, cancelled_at__isnull=True
        ).update(accepted_at=timezone.now(), accepted_by=user)
        if not used:
            raise ApplicationError(_("This invitation was already used."), code="invitation_used")
        if invitation.team.memberships.filter(user=user).exists():
            raise ApplicationError(_("You are already in this team."), code="already_member")
        try:
            with transaction.atomic():
                membership = TeamMembership.objects.create(
                    team=invitation.team, user=user, role=invitation.role
                )
        except IntegrityError:
            raise ApplicationError(
                _("You are already in this team."), code="already_member"
            ) from None
        team_activity_record(
            team=invitation.team,
            actor=user,
            action=TeamAction.JOINED,
            change={"kind": "role", "to": invitation.role},
        )
    return membership


def _other_owner_exists(*, team: Team, membership: TeamMembership) -> bool:
    return team.memberships.filter(role=TeamRole.OWNER).exclude(pk=membership.pk).exists()


LAST_OWNER = "last_owner"


def _last_owner_refusal() -> ApplicationError:
    return ApplicationError(
        _("A team needs an owner: hand ownership to another member first."), code=LAST_OWNER
    )


def team_member_role_change(*, team: Team, actor, membership_id, role: str) -> TeamMembership:
    selectors.team_get_for_member(user=actor, team_id=team.pk, need=TeamRole.OWNER)
    if role not in TeamRole.values:
        raise ApplicationError(_("Unknown role."), code="invalid_role")
    with transaction.atomic():
        _locked(team)
        membership = selectors.team_membership_get(team=team, membership_id=membership_id)
        if membership.role == TeamRole.OWNER and role != TeamRole.OWNER:
            if not _other_owner_exists(team=team, membership=membership):
                raise _last_owner_refusal()
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        team_activity_record(
            team=team,
            actor=actor,
            action=TeamAction.ROLE_CHANGED,
            subject=membership.user.get_username(),
            change={"kind": "role", "from": previous, "to": role},
        )
    return membership


def team_member_remove(*, team: Team, actor, membership_id) -> TeamMembership:
    """The owner removes a member; their access ends with this row (checked on every request)."""
    selectors.team_get_for_member(user=actor, team_id=team.pk, need=TeamRole.OWNER)
    with transaction.atomic():
        _locked(team)
        membership = selectors.team_membership_get(team=team, membership_id=membership_id)
        if membership.role == TeamRole.OWNER and not _other_owner_exists(
            team=team, membership=membership
        ):
            raise _last_owner_refusal()
        membership.delete()
        team_activity_record(
            team=team,
            actor=actor,
            action=TeamAction.REMOVED,
            subject=membership.user.get_username(),
        )
    return membership


def team_leave(*, team: Team, user) -> None:
    """A member leaves; the last owner must hand ownership over first."""
    with transaction.atomic():
        _locked(team)
        membership = TeamMembership.objects.filter(team=team, user=user).first()
        if membership is None:
            raise ApplicationError(_("You are not in this team."), code="not_member")
        if membership.role == TeamRole.OWNER and not _other_owner_exists(
            team=team, membership=membership
        ):
            raise _last_owner_refusal()
        membership.delete()
        team_activity_record(team=team, actor=user, action=TeamAction.LEFT)


def team_ownership_transfer(*, team: Team, actor, membership_id) -> TeamMembership:
    """Make another member the owner; the one handing over stays on as a manager."""
    selectors.team_get_for_member(user=actor, team_id=team.pk, need=TeamRole.OWNER)
    with transaction.atomic():
        _locked(team)
        target = selectors.team_membership_get(team=team, membership_id=membership_id)
        if target.user_id == actor.pk:
            raise ApplicationError(_("You already own this team."), code="already_owner")
        target.role = TeamRole.OWNER
        target.save(update_fields=["role"])
        TeamMembership.objects.filter(team=team, user=actor).update(role=TeamRole.MANAGER)
        team_activity_record(
            team=team,
            actor=actor,
            action=TeamAction.OWNERSHIP_TRANSFERRED,
            subject=target.user.get_username(),
        )
    return target


def team_memberships_release(*, user) -> int:
    """Account withdrawal: the teams `user` alone holds are deleted (their campaigns with them);
    in a team with others left, an owner who was its only one hands ownership to the member who
    joined first (managers before viewers), and the membership goes. Returns no files (a team
    stores none)."""
    selectors.team_list_held_alone(user=user).delete()
    for membership in TeamMembership.objects.filter(user=user).select_related("team"):
        team = _locked(membership.team)
        if membership.role == TeamRole.OWNER and not _other_owner_exists(
            team=team, membership=membership
        ):
            heir = (
                team.memberships.exclude(pk=membership.pk)
                .order_by(
                    models.Case(
                        models.When(role=TeamRole.MANAGER, then=0),
                        default=1,
                        output_field=models.IntegerField(),
                    ),
                    "joined_at",
                    "id",
                )
                .first()
            )
            heir.role = TeamRole.OWNER
            heir.save(update_fields=["role"])
            team_activity_record(
                team=team,
                actor=user,
                action=TeamAction.OWNERSHIP_TRANSFERRED,
                subject=heir.user.get_username(),
            )
        membership.delete()
        team_activity_record(team=team, actor=user, action=TeamAction.LEFT)
    return 0
