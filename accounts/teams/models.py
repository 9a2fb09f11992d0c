"""A brand is a team: members with roles share its campaigns, shortlists and recommendations.

Loaded by accounts/models.py (the app's models module), so the tables belong to `accounts`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.teams.choices import TeamAction, TeamRole
from accounts.teams.constants import ACTIVITY_SUBJECT_MAX_LENGTH, TEAM_NAME_MAX_LENGTH


class Team(models.Model):
    name = models.CharField(_("name"), max_length=TEAM_NAME_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "accounts"
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        app_label = "accounts"
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]

    def __str__(self):
        return f"{self.user} @ {self.team} ({self.role})"


class TeamInvitation(models.Model):
    """One e-mailed invitation; the signed link names this row, and accepting marks it used."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("team")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        app_label = "accounts"
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.email} -> {self.team} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None


class TeamActivity(models.Model):
    """Who did what in the team; kept TEAM_ACTIVITY_RETENTION_DAYS (a beat job prunes)."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="activity", verbose_name=_("team")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    # The actor's name as it was: the row still says who once they leave or their account goes.
    actor_name = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=32, choices=TeamAction.choices)
    subject = models.CharField(_("about"), max_length=ACTIVITY_SUBJECT_MAX_LENGTH, blank=True)
    # What changed, as codes ({"kind": "stage", "from": "candidate", "to": "contacted"}): shown in
    # the reader's language (accounts/teams/activity_labels.py).
    change = models.JSONField(_("change"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        app_label = "accounts"
        verbose_name = _("team activity")
        verbose_name_plural = _("team activity")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"])]

    def __str__(self):
        return f"{self.actor_name} {self.action} {self.subject}"

    @property
    def change_text(self) -> str:
        from accounts.teams.activity_labels import activity_change_text

        return activity_change_text(self.change or {})
