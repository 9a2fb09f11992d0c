from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender, Role
from recommender.constants import INT8_MAX_TOP1_LOSS


class ModelVersion(models.Model):
    """One style-model checkpoint in the registry; exactly one is active at a time."""

    name = models.CharField(_("name"), max_length=120)
    checkpoint = models.FileField(_("checkpoint file"), upload_to="models/")
    checkpoint_sha256 = models.CharField(_("checkpoint SHA-256"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=False)
    is_demo = models.BooleanField(_("demo model"), default=False)
    classes = models.JSONField(_("classes"), default=list)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    trained_on = models.TextField(_("trained on"), blank=True)
    data_fingerprint = models.CharField(_("data fingerprint"), max_length=32, blank=True)
    recipe = models.JSONField(_("training recipe"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    # Set when no copy of the file (local cache, then storage) passed its SHA-256 check; cleared
    # by the next load that succeeds. /healthz reports the active model as unavailable meanwhile.
    unavailable_reason = models.CharField(_("why it cannot be loaded"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_model_version"
            ),
        ]

    def __str__(self):
        kind = _("demo") if self.is_demo else _("real")
        return f"{self.name} ({kind})"

    @property
    def int8_within_tolerance(self) -> bool:
        """Whether int8 measured close enough to fp32 to be served (given calibration images)."""
        fp32, int8 = self.metrics.get("val_top1"), self.metrics.get("val_top1_int8")
        return fp32 is not None and int8 is not None and fp32 - int8 <= INT8_MAX_TOP1_LOSS

    @property
    def validation_accuracy(self) -> float | None:
        value = self.metrics.get("val_top1")
        return float(value) if value is not None else None


class FailureCode(models.TextChoices):
    """Why a request failed, stored as a code and shown in the reader's language."""

    GAVE_UP = "gave_up", _("The analysis did not finish after several attempts.")
    TIMED_OUT = "timed_out", _("The analysis took too long and was stopped. Please try again.")
    NO_MODEL = "no_model", _("No style model is active yet; an administrator must activate one.")
    CORRUPT_IMAGE = "corrupt_image", _("The image could not be read. Try another photo.")
    INTERNAL = "internal_error", _("An error on our side stopped the analysis. Please try again.")


class RecommendationRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Working")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Ranking(models.TextChoices):
        SIMILARITY = "similarity", _("Style similarity (recommended)")
        ORIGINAL = "original", _("Original (top style only)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recommendation_requests",
        verbose_name=_("user"),
    )
    # A brand's request belongs to its team: every member sees it, with who asked (`user`).
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recommendation_requests",
        verbose_name=_("team"),
    )
    # Emptied when the photo is deleted after the retention period (photo_deleted_at says when).
    image = models.ImageField(_("photo"), upload_to="queries/", blank=True)
    photo_deleted_at = models.DateTimeField(_("photo deleted at"), null=True, blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Role.choices)
    ranking = models.CharField(
        _("ranking"), max_length=16, choices=Ranking.choices, default=Ranking.SIMILARITY
    )
    # The influencers' filters; blank means any (a brand has neither).
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    body_size = models.CharField(_("body size"), max_length=1, choices=BodySize.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_message = models.CharField(_("status message"), max_length=255, blank=True)
    # The detail as it happened (English, for staff and logs); pages show failure_message.
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    failure_code = models.CharField(
        _("failure"), max_length=32, choices=FailureCode.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    model_version = models.ForeignKey(
        ModelVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("model version"),
    )
    model_label = models.CharField(
        _("model"), max_length=200, blank=True
    )  # snapshot: survives deletion
    predicted_style = models.CharField(_("predicted style"), max_length=16, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    # The photo is unlike the model's training photos (mlcore.ood); None: the model's checkpoint
    # has no threshold (older checkpoints), or the request has no result yet.
    unlike_training = models.BooleanField(_("unlike the training photos"), null=True, blank=True)
    style_distribution = models.JSONField(
        _("style distribution"), default=list, blank=True
    )  # [[code, p], ...] top 5
    query_probabilities = models.BinaryField(null=True, editable=False)
    results = models.JSONField(
        _("results"), default=dict, blank=True
    )  # {"similarity": {...}, "original": {...}}
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recommendation request")
        verbose_name_plural = _("recommendation requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["status", "claimed_at"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.user} {self.status}"

    @property
    def failure_message(self) -> str:
        """Why it failed, in the active language (rows from before the codes keep their text)."""
        return str(self.get_failure_code_display()) if self.failure_code else self.failure_reason

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def shown_results(self) -> dict:
        return self.results.get(self.ranking) or {}


class ReclassificationRun(models.Model):
    """Re-classifying the catalogue with one model version, in keyset order of post id.

    The row is the run's whole state: `last_post_id` is where it resumes (any worker, after any
    crash), `done`/`total` its progress, `heartbeat_at` when its worker last finished a batch.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        SUPERSEDED = "superseded", _("Superseded by a newer model")

    model_version = models.ForeignKey(
        ModelVersion,
        on_delete=models.CASCADE,
        related_name="reclassification_runs",
        verbose_name=_("model version"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # Posts up to this id when the run began; newer ones are classified as they arrive.
    max_post_id = models.BigIntegerField(_("last post id covered"), default=0)
    last_post_id = models.BigIntegerField(_("last post id done"), default=0)
    total = models.PositiveIntegerField(_("posts to classify"), default=0)
    done = models.PositiveIntegerField(_("posts done"), default=0)
    classified = models.PositiveIntegerField(_("classified"), default=0)
    unclassifiable = models.PositiveIntegerField(_("cannot classify"), default=0)
    # Which worker holds the run: a batch is stored only while its worker still holds it.
    lease = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("re-classification run")
        verbose_name_plural = _("re-classification runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="reclassification_open")]

    def __str__(self):
        if not self.total:
            return f"{self.model_version.name}: {gettext('no posts to re-classify')}"
        return f"{self.model_version.name}: {self.done} / {self.total}"

    @property
    def percent(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 100.0

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
