"""Tables of data rights; imported by accounts/models.py, so they belong to the accounts app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.privacy.constants import ConsentKind, DeletionStatus


class ConsentRecord(models.Model):
    """One answer of a user to one consent item, at one policy version (kept as evidence)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("consent"), max_length=16, choices=ConsentKind.choices)
    version = models.CharField(_("policy version"), max_length=32)
    agreed = models.BooleanField(_("agreed"))
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-answered_at", "-id"]
        indexes = [models.Index(fields=["user", "kind", "-answered_at"])]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.version} {self.agreed}"


class AccountDeletion(models.Model):
    """A withdrawal (회원 탈퇴): the account is deactivated at once and deleted by a background job.

    The row outlives the user (user becomes NULL) and holds no personal data, so the signed status
    link still answers after the account is gone.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeletionStatus.choices,
        default=DeletionStatus.PENDING,
        db_index=True,
    )
    files_deleted = models.PositiveIntegerField(_("files deleted"), default=0)
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.status}"


class PrivateMediaAccess(models.Model):
    """Staff opened a user's private photo (who, when, which, by what path). Superusers read it."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff member"),
    )
    staff_username = models.CharField(_("staff username"), max_length=150)
    name = models.CharField(_("file"), max_length=255)
    via = models.CharField(_("opened through"), max_length=32)
    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("staff access to a private photo")
        verbose_name_plural = _("staff accesses to private photos")
        ordering = ["-accessed_at", "-id"]

    def __str__(self):
        return f"{self.staff_username} {self.name}"
