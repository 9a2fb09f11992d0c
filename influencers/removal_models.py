"""Removal requests from Instagram account holders and the suppression list they lead to.

Imported by influencers/models.py, so these tables belong to the influencers app.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from influencers.constants import HANDLE_MAX_LENGTH, REMOVAL_REASON_MAX_LENGTH


class RemovalRequest(models.Model):
    """An account holder asks to be taken out of the catalogue (public form; staff decide)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for staff")
        APPROVED = "approved", _("Approved: removed")
        REJECTED = "rejected", _("Rejected")

    handle = models.CharField(_("Instagram handle"), max_length=HANDLE_MAX_LENGTH)
    contact_email = models.EmailField(_("contact e-mail"))
    reason = models.TextField(
        _("reason"),
        max_length=REMOVAL_REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REMOVAL_REASON_MAX_LENGTH)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    staff_note = models.CharField(_("staff note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("removal request")
        verbose_name_plural = _("removal requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"@{self.handle} ({self.status})"


class SuppressedHandle(models.Model):
    """A handle that every import and refresh skips (influencers.suppression.handle_is_suppressed)."""

    handle = models.CharField(_("Instagram handle"), max_length=HANDLE_MAX_LENGTH)
    removal_request = models.ForeignKey(
        RemovalRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("removal request"),
    )
    created_at = models.DateTimeField(_("suppressed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed handle")
        verbose_name_plural = _("suppressed handles")
        ordering = ["handle"]
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="suppressed_handle_ci_unique"),
        ]

    def __str__(self):
        return f"@{self.handle}"
