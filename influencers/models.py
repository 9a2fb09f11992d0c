from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, FloatField, Value
from django.db.models.functions import Cast, Coalesce, Lower, NullIf
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender
from common.styles import NO_IMAGE, style_label_lazy
from influencers.constants import (
    BIO_MAX_LENGTH,
    CAPTION_MAX_LENGTH,
    CLOTHING_SIZE_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    HANDLE_MAX_LENGTH,
    HANDLE_PATTERN,
    INSTAGRAM_HANDLE_MAX_LENGTH,
    PERMALINK_MAX_LENGTH,
    POST_ID_MAX_LENGTH,
    SAVED_SEARCH_NAME_MAX_LENGTH,
    SAVED_SEARCH_QUERY_MAX_LENGTH,
    STAFF_NOTES_MAX_LENGTH,
    STOPWORD_MAX_LENGTH,
)
from mlcore.styles import TAXONOMY

# Members as NAME -> (stored code, label in the active language): a bare (code, label) pair would
# make the label the stored value.
StyleChoices = models.TextChoices(
    "StyleChoices",
    [(s.code.upper(), (s.code, style_label_lazy(s.code))) for s in TAXONOMY]
    + [("NO_IMAGE", (NO_IMAGE, style_label_lazy(NO_IMAGE)))],
)


# Gender or body size unknown: such an influencer waits for staff before any filtered ranking.
NEEDS_CURATION = models.Q(gender="") | models.Q(body_size="")


class InfluencerQuerySet(models.QuerySet):
    def with_engagement(self):
        """The one home of the engagement numbers every page, API, ranking and export shows.

        average_likes: likes per post (hidden likes count as imputed); engagement_rate: average
        likes over followers, NULL where followers are unknown or there are no posts.
        """
        average = ExpressionWrapper(
            F("total_likes") / Cast(NullIf(F("post_count"), 0), FloatField()),
            output_field=FloatField(),
        )
        rate = ExpressionWrapper(
            average / Cast(NullIf(F("followers"), 0), FloatField()), output_field=FloatField()
        )
        return self.annotate(
            average_likes=Coalesce(average, Value(0.0), output_field=FloatField()),
            engagement_rate=rate,
        )

    def needing_curation(self):
        """Influencers whose gender or body size staff have not set yet (the one home of the rule)."""
        return self.filter(NEEDS_CURATION)

    def curated(self):
        return self.exclude(NEEDS_CURATION)


class InfluencerManager(models.Manager.from_queryset(InfluencerQuerySet)):
    def get_queryset(self):
        return super().get_queryset().with_engagement()


class Influencer(models.Model):
    handle = models.CharField(
        _("Instagram handle"),
        max_length=HANDLE_MAX_LENGTH,
        unique=True,
        validators=[
            RegexValidator(
                rf"^{HANDLE_PATTERN}\Z",
                format_lazy(
                    _(
                        "Letters, digits, '.' and '_' only, at most {limit} characters, as on Instagram."
                    ),
                    limit=INSTAGRAM_HANDLE_MAX_LENGTH,
                ),
                code="invalid_handle",
            )
        ],
    )
    display_name = models.CharField(
        _("display name"), max_length=DISPLAY_NAME_MAX_LENGTH, blank=True
    )
    # Blank until staff set it: an influencer created from a posts file or a live refresh needs
    # curation and is never recommended under a gender or size filter meanwhile.
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    body_size = models.CharField(_("body size"), max_length=1, choices=BodySize.choices, blank=True)
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"), null=True, blank=True)
    clothing_size = models.CharField(
        _("usual clothing size"), max_length=CLOTHING_SIZE_MAX_LENGTH, blank=True
    )
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    # What Instagram counts (a Graph API answer's media_count), beside the posts imported here.
    media_count = models.PositiveIntegerField(_("posts on Instagram"), null=True, blank=True)
    # A TextField's max_length only sizes form inputs: the validator enforces it.
    bio = models.TextField(
        _("bio"),
        blank=True,
        max_length=BIO_MAX_LENGTH,
        validators=[MaxLengthValidator(BIO_MAX_LENGTH)],
    )
    profile_image = models.ImageField(_("profile image"), upload_to="profiles/", blank=True)
    # Where a brand reaches the influencer (the campaign CSV exports it); staff set it in admin.
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active (recommended)"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    staff_notes = models.TextField(
        _("staff notes"),
        blank=True,
        max_length=STAFF_NOTES_MAX_LENGTH,
        validators=[MaxLengthValidator(STAFF_NOTES_MAX_LENGTH)],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Style profile, rebuilt whenever the influencer's posts change (influencers/services/profiles.py).
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    classified_post_count = models.PositiveIntegerField(_("classified posts"), default=0)
    total_likes = models.FloatField(_("total likes"), default=0)
    # Whether any post shows its likes (else the rankings impute them from other accounts).
    likes_known = models.BooleanField(_("likes visible"), default=False)
    # {style: {"posts": n, "likes": x}}
    style_stats = models.JSONField(_("style statistics"), default=dict, blank=True)
    brand_style = models.CharField(
        _("representative style (likes)"),
        max_length=16,
        choices=StyleChoices.choices,
        blank=True,
        db_index=True,
    )
    brand_style_likes = models.FloatField(_("likes of the representative style"), default=0)
    consumer_style = models.CharField(
        _("representative style (posts)"),
        max_length=16,
        choices=StyleChoices.choices,
        blank=True,
        db_index=True,
    )
    consumer_style_posts = models.PositiveIntegerField(
        _("posts of the representative style"), default=0
    )
    like_distribution = models.BinaryField(null=True, editable=False)
    count_distribution = models.BinaryField(null=True, editable=False)
    embedding_centroid = models.BinaryField(null=True, editable=False)
    profile_updated_at = models.DateTimeField(_("profile updated at"), null=True, blank=True)
    # Kept with the profile so the list filters and sorts on them without reading posts:
    # the share of the representative (most-posted) style among the classified posts with an
    # image, and the newest post's date.
    consumer_style_share = models.FloatField(
        _("share of the representative style"), default=0, editable=False
    )
    last_posted_at = models.DateTimeField(_("last post"), null=True, blank=True, editable=False)
    # The words the search finds it by live in a table of their own (InfluencerSearchWords).

    # Text summary (influencers/services/summaries.py).
    # [[word, count], ...]: the words that tell this influencer apart from the catalogue, most
    # distinctive first (mlcore.keywords.keywords_distinctive), each with its count.
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    # {word: count} of the influencer's most frequent words: the catalogue's counts (the prior
    # every influencer's keywords are weighed against) are their sum.
    word_counts = models.JSONField(default=dict, blank=True, editable=False)
    wordcloud = models.ImageField(_("word cloud"), upload_to="wordclouds/", blank=True)
    sponsored_share = models.FloatField(_("sponsored share"), null=True, blank=True)
    summary_updated_at = models.DateTimeField(_("summary updated at"), null=True, blank=True)
    # Set when a rebuild is queued, cleared when it starts: the debounce and the reconciler's clock.
    summary_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Live refresh from the Instagram Graph API (influencers/services/graph_refresh.py).
    tracked = models.BooleanField(_("refreshed from Instagram"), default=False)
    refreshed_at = models.DateTimeField(_("last refresh"), null=True, blank=True)
    follows_count = models.PositiveIntegerField(_("follows"), null=True, blank=True)
    # Why the last refresh failed: a code (influencers.graph.errors.REFRESH_ERRORS, shown in the
    # reader's language) and the API's own words, never a token.
    refresh_error_code = models.CharField(_("last refresh error"), max_length=32, blank=True)
    refresh_error_detail = models.CharField(
        _("last refresh error (detail)"), max_length=500, blank=True
    )
    refresh_error_at = models.DateTimeField(_("last refresh error at"), null=True, blank=True)
    # The account is gone or not a professional one: no refresh is asked for until staff track it
    # again.
    refresh_stopped = models.BooleanField(_("refresh stopped"), default=False)

    objects = InfluencerManager()

    class Meta:
        verbose_name = _("influencer")
        verbose_name_plural = _("influencers")
        ordering = ["handle"]
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="influencer_handle_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["is_active", "gender", "body_size", "brand_style"]),
            models.Index(fields=["is_active", "gender", "body_size", "consumer_style"]),
            models.Index(fields=["summary_queued_at"], name="influencer_summary_queued"),
            models.Index(fields=["tracked", "refreshed_at"], name="influencer_refresh_due"),
        ]

    def __str__(self):
        return f"@{self.handle}"


class InfluencerStyleShare(models.Model):
    """One style of an influencer's style_stats as a row, rebuilt with the profile: the list's
    style-share filter and sort find influencers through the (style, share) index instead of
    reading every profile's statistics."""

    influencer = models.ForeignKey(
        Influencer, on_delete=models.CASCADE, related_name="style_shares"
    )
    style = models.CharField(max_length=16, choices=StyleChoices.choices)
    posts = models.PositiveIntegerField()
    # Of the classified posts with an image, as the influencer page's distribution counts them.
    share = models.FloatField()
    # The similarity ranking's own evidence for the style (mlcore.ranking.style_evidence): of every
    # classified post (consumers), of the likes of those posts (brands). The ranking walks each
    # in descending order and stops once nobody unread can reach its places.
    consumer_evidence = models.FloatField(default=0)
    brand_evidence = models.FloatField(default=0)
    # Copies of the influencer's gender and body size, and whether a ranking may recommend it
    # (active, gender and size set): the walk then reads only the rows in the ranking's filters.
    # Kept by database triggers (migration 0022) on every write of either table, whatever path
    # makes it (admin, curation, imports, a bulk update); never set from Python.
    gender = models.CharField(max_length=1, blank=True, default="", editable=False)
    body_size = models.CharField(max_length=1, blank=True, default="", editable=False)
    rankable = models.BooleanField(default=False, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["influencer", "style"], name="style_share_unique")
        ]
        indexes = [
            models.Index(fields=["style", "-share"], name="style_share_by_style"),
            # The similarity ranking's walk (the influencer last: equal evidence is read in one
            # order, batch after batch) and its look-up of each asked style's numbers, both from
            # the index alone on PostgreSQL (include: ignored elsewhere).
            models.Index(
                fields=["style", "-consumer_evidence", "influencer"],
                include=["posts"],
                name="style_consumer_evidence",
            ),
            models.Index(
                fields=["style", "-brand_evidence", "influencer"],
                include=["posts"],
                name="style_brand_evidence",
            ),
            models.Index(
                fields=["influencer", "style"],
                include=["posts", "consumer_evidence", "brand_evidence"],
                name="style_share_numbers",
            ),
        ]

    def __str__(self):
        return f"{self.influencer_id} {self.style}: {self.share:.1%}"


class ClassificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Classifying")
    DONE = "done", _("Classified")
    UNCLASSIFIABLE = "unclassifiable", _("Cannot classify")


class Post(models.Model):
    influencer = models.ForeignKey(
        Influencer, on_delete=models.CASCADE, related_name="posts", verbose_name=_("influencer")
    )
    instagram_id = models.CharField(
        _("Instagram post id"), max_length=POST_ID_MAX_LENGTH, unique=True
    )
    caption = models.TextField(
        _("caption"),
        blank=True,
        max_length=CAPTION_MAX_LENGTH,
        validators=[MaxLengthValidator(CAPTION_MAX_LENGTH)],
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    # The post's address on Instagram as the import gave it (common.instagram checks and
    # normalises it); blank: built from a short-code post id where there is one.
    permalink = models.URLField(_("Instagram address"), max_length=PERMALINK_MAX_LENGTH, blank=True)
    # As crawled; None means the account hid it (a crawl's -1 is never stored).
    likes = models.PositiveIntegerField(_("likes (as crawled)"), null=True, blank=True)
    effective_likes = models.FloatField(_("likes used for ranking"), default=0)
    likes_imputed = models.BooleanField(_("likes imputed"), default=False)
    is_video = models.BooleanField(_("video"), default=False)
    is_sponsored = models.BooleanField(_("sponsored"), default=False)
    image = models.ImageField(_("image"), upload_to="posts/", blank=True)
    image_sha256 = models.CharField(_("image SHA-256"), max_length=64, blank=True)
    # How many PostImage rows (a carousel's images after the cover) the post has; kept by the
    # services that write them, so feeds and evidence show "+3" without a query per post.
    extra_image_count = models.PositiveSmallIntegerField(_("more images"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Classification (recommender/services/classification.py fills these).
    classification_status = models.CharField(
        _("classification status"),
        max_length=16,
        choices=ClassificationStatus.choices,
        default=ClassificationStatus.PENDING,
        db_index=True,
    )
    predicted_style = models.CharField(
        _("predicted style"), max_length=16, choices=StyleChoices.choices, blank=True, db_index=True
    )
    # The label the prototype's own model gave the post, kept from its crawl table to compare.
    prototype_style = models.CharField(
        _("prototype's style label"), max_length=16, choices=StyleChoices.choices, blank=True
    )
    style_confidence = models.FloatField(_("style confidence"), null=True, blank=True)
    style_probabilities = models.BinaryField(null=True, editable=False)
    embedding = models.BinaryField(null=True, editable=False)
    model_version = models.ForeignKey(
        "recommender.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("model version"),
    )
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    unclassifiable_reason = models.CharField(
        _("reason it cannot be classified"), max_length=255, blank=True
    )
    # When the post was last handed to a worker: the reconciler re-queues only posts queued past
    # the deadline without a result (its cost follows the stuck posts, not the waiting ones).
    classification_queued_at = models.DateTimeField(
        _("queued for classification at"), null=True, blank=True
    )
    classification_claimed_at = models.DateTimeField(
        _("classification started at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-posted_at", "-id"]
        indexes = [
            models.Index(fields=["influencer", "predicted_style", "effective_likes"]),
            models.Index(
                fields=["influencer", "-posted_at", "-id"], name="post_recent_by_influencer"
            ),
            models.Index(
                fields=["classification_status", "classification_queued_at"],
                name="post_classification_queue",
            ),
        ]

    def __str__(self):
        return f"{self.influencer.handle}/{self.instagram_id}"


class PostImage(models.Model):
    """An image of a carousel post after its first: the first stays `Post.image` (the cover every
    feed, evidence and ranking reads), so a post without extra images has no rows here."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="extra_images", verbose_name=_("post")
    )
    # 2 for the second image, as the crawl names it (<post_id>_2.jpg); the cover is 1.
    position = models.PositiveSmallIntegerField(_("position"))
    image = models.ImageField(_("image"), upload_to="posts/")
    image_sha256 = models.CharField(_("image SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("post image")
        verbose_name_plural = _("post images")
        ordering = ["post", "position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="post_image_position_unique"),
            models.CheckConstraint(
                condition=models.Q(position__gte=2), name="post_image_after_cover"
            ),
        ]

    def __str__(self):
        return f"{self.post_id} #{self.position}"


class ImageLinkState(models.TextChoices):
    PENDING = "pending", _("waiting to be fetched")
    FETCHED = "fetched", _("fetched")
    EXPIRED = "expired", _("link expired: export again or attach the image")
    REFUSED = "refused", _("refused")
    FAILED = "failed", _("failed (server error or time-out): import the export again to retry")


class PostImageLink(models.Model):
    """A link to a post's image an export gave instead of a file (Apify, Graph API), fetched by a
    bulk task (services/image_links.py) through common.safe_fetch; its state shows in admin."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="image_links", verbose_name=_("post")
    )
    position = models.PositiveSmallIntegerField(_("position"))  # 1: the cover
    url = models.URLField(_("link"), max_length=2048)
    state = models.CharField(
        _("state"), max_length=8, choices=ImageLinkState.choices, default=ImageLinkState.PENDING
    )
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("post image link")
        verbose_name_plural = _("post image links")
        ordering = ["post", "position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="post_image_link_unique"),
        ]
        indexes = [models.Index(fields=["state", "queued_at"], name="image_link_state_queued")]

    def __str__(self):
        return f"{self.post_id} link #{self.position}"


class ImportMapping(models.Model):
    """Which column holds which field, as staff chose it in an import preview; offered again for
    the next file whose headers are the same (`headers`: the sorted, normalized header list)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    headers = models.JSONField(_("headers"), default=list)
    fields = models.JSONField(_("columns by field"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Stopword(models.Model):
    """Words left out of keyword summaries, beyond the shipped lists; curated by staff."""

    word = models.CharField(_("word"), max_length=STOPWORD_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stopword")
        verbose_name_plural = _("stopwords")
        ordering = ["word"]

    def __str__(self):
        return self.word


class ImportFormat(models.TextChoices):
    """The export formats an import reads (docs/imports.md); AUTO finds it from the content."""

    AUTO = "auto", _("Found from the file")
    CRAWL = "crawl", _("Crawl table (CSV, JSON Lines, Excel)")
    GRAPH = "graph", _("Instagram Graph API JSON")
    APIFY = "apify", _("Apify Instagram Scraper (JSON, CSV)")
    INSTALOADER = "instaloader", _("instaloader folder or zip")


class BackgroundJobTimes(models.Model):
    """When a background job (an import, a refresh run) was created, queued, started, last heard
    from and finished: what common.jobs' reconcilers and the progress pages read."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Moves with every chunk of work; a running job silent past the deadline lost its worker.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True


class ImportJob(BackgroundJobTimes):
    """One import run, with its progress and report, shown in admin and the API."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("created by"),
    )
    source_name = models.CharField(_("source file"), max_length=255)
    format = models.CharField(_("format"), max_length=16, choices=ImportFormat.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("total rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    status_message = models.CharField(_("status message"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"#{self.pk} {self.source_name} ({self.status})"


class FollowerSnapshot(models.Model):
    """An influencer's numbers as one refresh found them: the history growth charts read."""

    influencer = models.ForeignKey(
        Influencer,
        on_delete=models.CASCADE,
        related_name="snapshots",
        verbose_name=_("influencer"),
    )
    taken_at = models.DateTimeField(_("taken at"))
    followers = models.PositiveIntegerField(_("followers"))
    follows_count = models.PositiveIntegerField(_("follows"), null=True, blank=True)
    media_count = models.PositiveIntegerField(_("posts on Instagram"), null=True, blank=True)
    # The engagement numbers (Influencer.objects' annotation) right after the refresh.
    average_likes = models.FloatField(_("average likes"), null=True, blank=True)
    engagement_rate = models.FloatField(_("engagement rate"), null=True, blank=True)

    class Meta:
        verbose_name = _("follower snapshot")
        verbose_name_plural = _("follower snapshots")
        ordering = ["influencer", "taken_at"]
        indexes = [
            models.Index(fields=["influencer", "taken_at"], name="snapshot_by_influencer"),
        ]

    def __str__(self):
        return f"{self.influencer_id} {self.taken_at:%Y-%m-%d}: {self.followers}"


class RefreshRun(BackgroundJobTimes):
    """One refresh of several influencers from the Graph API, with its progress and outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        # At the rate limit: resumes at resume_at, when the usage window has passed.
        PAUSED = "paused", _("Paused at the rate limit")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        ADMIN = "admin", _("Admin")
        COMMAND = "command", _("Command line")

    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    trigger = models.CharField(_("started by"), max_length=8, choices=Trigger.choices)
    created_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("created by"),
    )
    # The influencers to refresh, in order; `done` of them are behind the run.
    influencer_ids = models.JSONField(default=list, editable=False)
    total = models.PositiveIntegerField(_("influencers"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    refreshed = models.PositiveIntegerField(_("refreshed"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    posts_created = models.PositiveIntegerField(_("posts created"), default=0)
    posts_updated = models.PositiveIntegerField(_("posts updated"), default=0)
    calls = models.PositiveIntegerField(_("API calls"), default=0)
    # [{"handle", "code", "detail"}, ...] of the accounts that failed (the first REFRESH_RUN_ERRORS).
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_code = models.CharField(_("error"), max_length=32, blank=True)
    error_detail = models.CharField(_("error (detail)"), max_length=500, blank=True)
    resume_at = models.DateTimeField(_("resumes at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refresh run")
        verbose_name_plural = _("refresh runs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"#{self.pk} ({self.status}, {self.done}/{self.total})"


class GraphCredential(models.Model):
    """The business account's Graph API token (one row): encrypted, shown back only as a hint."""

    token_encrypted = models.TextField(blank=True, editable=False)
    token_hint = models.CharField(_("token"), max_length=8, blank=True, editable=False)
    expires_at = models.DateTimeField(_("token expires at"), null=True, blank=True)
    # debug_token said expires_at 0: a token that does not lapse (a system user's).
    never_expires = models.BooleanField(_("token never expires"), default=False)
    checked_at = models.DateTimeField(_("token checked at"), null=True, blank=True)
    # Which token the expiry above was read for (by fingerprint): the token in use may be another
    # one since (a new INSTAGRAM_GRAPH_TOKEN), whose expiry is then unknown, never this one's.
    checked_fingerprint = models.CharField(max_length=32, blank=True, editable=False)
    # The token the API refused (error 190), by fingerprint: every refresh stops until another
    # token is saved or given in the environment.
    refused_fingerprint = models.CharField(max_length=32, blank=True, editable=False)
    refused_reason = models.CharField(
        _("why the token was refused"), max_length=500, blank=True, editable=False
    )
    refused_at = models.DateTimeField(_("token refused at"), null=True, blank=True)
    # No call before this instant: the usage window of the last rate limit has not passed.
    rate_limited_until = models.DateTimeField(_("rate-limited until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Instagram Graph API token")
        verbose_name_plural = _("Instagram Graph API token")

    def __str__(self):
        return str(_("Instagram Graph API token"))


class InfluencerSearchWords(models.Model):
    """What the catalogue search finds one influencer by (influencers/services/search_index.py),
    one word per line: the words of its captions and keywords, rebuilt when its posts change, and
    the words and parts of its handle and display name, rebuilt when they change.

    A narrow table of its own: on PostgreSQL (migration 0020) it also keeps a stored tsvector of
    both columns with a GIN index, and a search reads its matches from that index and these small
    rows, never the wide influencer rows or a vector (docs/search.md).
    """

    influencer = models.OneToOneField(
        Influencer, on_delete=models.CASCADE, primary_key=True, related_name="search_words"
    )
    words = models.TextField(blank=True, default="")
    names = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("search words")
        verbose_name_plural = _("search words")

    def __str__(self):
        return str(self.influencer_id)


# Removal requests and the suppression list live in their own module.
from influencers.removal_models import RemovalRequest, SuppressedHandle  # noqa: E402, F401


class SavedSearch(models.Model):
    """A search of the influencer list, kept to open again: its filters as the canonical query
    string of InfluencerFilterSet (only valid filters, never a page number).

    A brand member's search belongs to their team (`team`; `user` says who saved it); a
    consumer's is personal (`team` empty)."""

    # Who saved it. The search goes with that account, like a recommendation request.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("saved by"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("team"),
    )
    name = models.CharField(_("name"), max_length=SAVED_SEARCH_NAME_MAX_LENGTH)
    query = models.CharField(_("filters"), max_length=SAVED_SEARCH_QUERY_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="saved_search_by_user"),
            models.Index(fields=["team", "-created_at"], name="saved_search_by_team"),
        ]

    def __str__(self):
        return self.name
