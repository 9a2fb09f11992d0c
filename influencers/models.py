from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender
from common.vectors import vector_from_bytes
from mlcore.styles import TAXONOMY

NO_IMAGE = "no_image"
# Members as NAME -> (stored code, Korean label): a bare (code, korean) pair would make the
# Korean name the stored value.
StyleChoices = models.TextChoices(
    "StyleChoices",
    [(s.code.upper(), (s.code, s.korean)) for s in TAXONOMY]
    + [("NO_IMAGE", (NO_IMAGE, "이미지 없음"))],
)


class Influencer(models.Model):
    handle = models.CharField(_("Instagram handle"), max_length=64, unique=True)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    body_size = models.CharField(_("body size"), max_length=1, choices=BodySize.choices)
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"), null=True, blank=True)
    clothing_size = models.CharField(_("usual clothing size"), max_length=16, blank=True)
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    bio = models.TextField(_("bio"), blank=True)
    profile_image = models.ImageField(_("profile image"), upload_to="profiles/", blank=True)
    is_active = models.BooleanField(_("active (recommended)"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    staff_notes = models.TextField(_("staff notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Style profile, rebuilt per influencer whenever its posts change (influencers/profiles.py).
    post_count = models.PositiveIntegerField(default=0)
    classified_post_count = models.PositiveIntegerField(default=0)
    total_likes = models.FloatField(default=0)
    style_stats = models.JSONField(default=dict, blank=True)  # {style: {"posts": n, "likes": x}}
    brand_style = models.CharField(
        _("representative style (likes)"),
        max_length=16,
        choices=StyleChoices.choices,
        blank=True,
        db_index=True,
    )
    brand_style_likes = models.FloatField(default=0)
    consumer_style = models.CharField(
        _("representative style (posts)"),
        max_length=16,
        choices=StyleChoices.choices,
        blank=True,
        db_index=True,
    )
    consumer_style_posts = models.PositiveIntegerField(default=0)
    like_distribution = models.BinaryField(null=True, editable=False)
    count_distribution = models.BinaryField(null=True, editable=False)
    embedding_centroid = models.BinaryField(null=True, editable=False)
    profile_updated_at = models.DateTimeField(null=True, blank=True)

    # Text summary (influencers/summaries.py).
    keywords = models.JSONField(default=list, blank=True)  # [[word, count], ...] top 30
    wordcloud = models.ImageField(upload_to="wordclouds/", blank=True)
    sponsored_share = models.FloatField(null=True, blank=True)
    summary_updated_at = models.DateTimeField(null=True, blank=True)
    summary_rebuilds = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["handle"]
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="influencer_handle_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["is_active", "gender", "body_size", "brand_style"]),
            models.Index(fields=["is_active", "gender", "body_size", "consumer_style"]),
        ]

    def __str__(self):
        return f"@{self.handle}"

    @property
    def average_likes(self) -> float:
        return self.total_likes / self.post_count if self.post_count else 0.0

    @property
    def engagement_rate(self) -> float | None:
        """Average likes per post as a share of followers, where followers are known."""
        if not self.followers or not self.post_count:
            return None
        return self.average_likes / self.followers


class ClassificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Classifying")
    DONE = "done", _("Classified")
    UNCLASSIFIABLE = "unclassifiable", _("Cannot classify")


class Post(models.Model):
    influencer = models.ForeignKey(Influencer, on_delete=models.CASCADE, related_name="posts")
    instagram_id = models.CharField(_("Instagram post id"), max_length=64, unique=True)
    caption = models.TextField(_("caption"), blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    # As crawled; None means the account hid it (a crawl's -1 is never stored).
    likes = models.PositiveIntegerField(_("likes (as crawled)"), null=True, blank=True)
    effective_likes = models.FloatField(_("likes used for ranking"), default=0)
    likes_imputed = models.BooleanField(_("likes imputed"), default=False)
    is_video = models.BooleanField(default=False)
    is_sponsored = models.BooleanField(default=False)
    image = models.ImageField(upload_to="posts/", blank=True)
    image_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Classification (recommender/classification.py fills these).
    classification_status = models.CharField(
        max_length=16,
        choices=ClassificationStatus.choices,
        default=ClassificationStatus.PENDING,
        db_index=True,
    )
    predicted_style = models.CharField(
        max_length=16, choices=StyleChoices.choices, blank=True, db_index=True
    )
    # The label the prototype's own model gave the post, kept from its crawl table to compare.
    prototype_style = models.CharField(
        _("prototype's style label"), max_length=16, choices=StyleChoices.choices, blank=True
    )
    style_confidence = models.FloatField(null=True, blank=True)
    style_probabilities = models.BinaryField(null=True, editable=False)
    embedding = models.BinaryField(null=True, editable=False)
    model_version = models.ForeignKey(
        "recommender.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    classified_at = models.DateTimeField(null=True, blank=True)
    unclassifiable_reason = models.CharField(max_length=255, blank=True)
    classification_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [
            models.Index(fields=["influencer", "predicted_style", "effective_likes"]),
            models.Index(
                fields=["influencer", "-posted_at", "-id"], name="post_recent_by_influencer"
            ),
        ]

    def __str__(self):
        return f"{self.influencer.handle}/{self.instagram_id}"

    @property
    def probabilities(self):
        return vector_from_bytes(self.style_probabilities)


class Stopword(models.Model):
    """Words left out of keyword summaries, beyond the shipped lists; curated by staff."""

    word = models.CharField(_("word"), max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word


class ImportJob(models.Model):
    """One import run, with its progress and report, shown in admin and the API."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL
    )
    source_name = models.CharField(max_length=255)
    format = models.CharField(max_length=8)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"#{self.pk} {self.source_name} ({self.status})"
