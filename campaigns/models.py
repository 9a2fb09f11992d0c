from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender
from campaigns.constants import (
    CAMPAIGN_BRIEF_MAX_LENGTH,
    CAMPAIGN_NAME_MAX_LENGTH,
    SAVED_NOTE_MAX_LENGTH,
    SHORTLIST_NOTES_MAX_LENGTH,
    STAGE_NOTE_MAX_LENGTH,
)
from influencers.constants import HANDLE_MAX_LENGTH


class Stage(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    CONTACTED = "contacted", _("Contacted")
    NEGOTIATING = "negotiating", _("Negotiating")
    CONFIRMED = "confirmed", _("Confirmed")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Campaign(models.Model):
    """A brand team's campaign: every member reads it, managers and owners change it."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("team")
    )
    # Who made it; the campaign stays the team's when they leave or their account goes.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns_created",
        verbose_name=_("created by"),
    )
    name = models.CharField(_("name"), max_length=CAMPAIGN_NAME_MAX_LENGTH)
    # A TextField's max_length only sizes form inputs: the validator enforces it (admin, full_clean).
    brief = models.TextField(
        _("brief"),
        blank=True,
        max_length=CAMPAIGN_BRIEF_MAX_LENGTH,
        validators=[MaxLengthValidator(CAMPAIGN_BRIEF_MAX_LENGTH)],
    )
    target_gender = models.CharField(_("target gender"), max_length=1, choices=Gender.choices)
    target_body_size = models.CharField(
        _("target body size"), max_length=1, choices=BodySize.choices
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class CampaignImage(models.Model):
    """A product or concept image of the campaign, with its recommendation request."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="images", verbose_name=_("campaign")
    )
    recommendation = models.OneToOneField(
        "recommender.RecommendationRequest",
        on_delete=models.CASCADE,
        related_name="campaign_image",
        verbose_name=_("recommendation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign image")
        verbose_name_plural = _("campaign images")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.campaign} #{self.recommendation_id}"


class ShortlistEntry(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="shortlist", verbose_name=_("campaign")
    )
    # Kept when staff delete an influencer: the shortlist still says who it was.
    influencer = models.ForeignKey(
        "influencers.Influencer",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("influencer"),
    )
    handle = models.CharField(_("Instagram handle"), max_length=HANDLE_MAX_LENGTH)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.CANDIDATE
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        max_length=SHORTLIST_NOTES_MAX_LENGTH,
        validators=[MaxLengthValidator(SHORTLIST_NOTES_MAX_LENGTH)],
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    stage_changed_at = models.DateTimeField(_("stage changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "handle"], name="one_entry_per_influencer_per_campaign"
            )
        ]

    def __str__(self):
        return f"@{self.handle} ({self.stage})"


class StageChange(models.Model):
    entry = models.ForeignKey(
        ShortlistEntry,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("shortlist entry"),
    )
    from_stage = models.CharField(_("from stage"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=16, choices=Stage.choices)
    note = models.TextField(
        _("note"),
        blank=True,
        max_length=STAGE_NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(STAGE_NOTE_MAX_LENGTH)],
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.from_stage or '-'} -> {self.to_stage}"


class SavedInfluencer(models.Model):
    """A consumer's saved influencer; survives catalogue changes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_influencers",
        verbose_name=_("user"),
    )
    influencer = models.ForeignKey(
        "influencers.Influencer",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("influencer"),
    )
    handle = models.CharField(_("Instagram handle"), max_length=HANDLE_MAX_LENGTH)
    note = models.CharField(_("note"), max_length=SAVED_NOTE_MAX_LENGTH, blank=True)
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved influencer")
        verbose_name_plural = _("saved influencers")
        ordering = ["-saved_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "handle"], name="one_save_per_influencer")
        ]

    def __str__(self):
        return f"@{self.handle}"

    @property
    def is_available(self) -> bool:
        return self.influencer is not None and self.influencer.is_active
