"""Catalogue reads for pages, the API and the rankings; each list costs a constant number of queries."""

from collections import Counter, defaultdict

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils.translation import gettext as _

from accounts.teams.choices import TeamRole
from accounts.teams.selectors import member_role_subquery, role_check, team_list_for_member
from common.errors import NotFoundError
from common.instagram import instagram_post_url, instagram_profile_url
from common.permissions import user_has_model_permission
from common.style_models import style_model_summary
from common.styles import NO_IMAGE
from common.vectors import vector_from_bytes
from influencers.constants import (
    TIMELINE_COLUMNS,
    TIMELINE_MONTHS,
    VIEW_INACTIVE_PERMISSION,
)
from influencers.filters import InfluencerFilterSet
from influencers.models import (
    ClassificationStatus,
    ImportJob,
    Influencer,
    Post,
    PostImage,
    SavedSearch,
)
from influencers.search import search_pattern
from mlcore.model import EMBEDDING_DIM
from mlcore.ranking import lookalike_scores, top_k

# The fields influencer_summary() reads: querysets that build summaries load only these.
INFLUENCER_SUMMARY_FIELDS = (
    "pk",
    "handle",
    "display_name",
    "gender",
    "body_size",
    "profile_image",
    "followers",
    "post_count",
    "total_likes",
    "brand_style",
    "consumer_style",
    "keywords",
    "wordcloud",
    "sponsored_share",
    "is_demo",
)


def influencer_summary(influencer: Influencer) -> dict:
    """An influencer as every card, list and API shows it (files as stored names).

    The one builder: recommendation cards store it in their snapshot and the API serializes it.
    `influencer` comes from Influencer.objects, which annotates the engagement numbers.
    """
    return {
        "influencer_id": influencer.pk,
        "handle": influencer.handle,
        "display_name": influencer.display_name,
        "gender": influencer.gender,
        "body_size": influencer.body_size,
        "profile_image": influencer.profile_image.name or "",
        "followers": influencer.followers,
        "post_count": influencer.post_count,
        "average_likes": round(influencer.average_likes, 1),
        "engagement_rate": influencer.engagement_rate,
        "brand_style": influencer.brand_style,
        "consumer_style": influencer.consumer_style,
        "keywords": influencer.keywords,
        "wordcloud": influencer.wordcloud.name or "",
        "sponsored_share": influencer.sponsored_share,
        "is_demo": influencer.is_demo,
        "instagram_url": instagram_profile_url(influencer.handle, is_demo=influencer.is_demo),
    }


def influencer_list(*, filters=None, active_only: bool = True):
    """Influencers for the list page and the API, filtered and sorted by InfluencerFilterSet
    (influencers/filters.py) from a query string's values; a value that does not validate is
    left out (the page says so, the API refuses it first). Each has a picture (`cover_image`:
    the profile image, else the newest post's image).

    A search finds influencers in whom every word (or a synonym) is found: handle, display name,
    keywords or any caption. Ranked: handle matches first, then by how many captions hold every
    word; each found influencer carries `caption_hits` and `caption_match`, the newest such
    caption (see caption_snippet).
    """
    qs = Influencer.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    newest_post_image = (
        Post.objects.filter(influencer=OuterRef("pk"))
        .exclude(image="")
        .order_by("-posted_at", "-id")
        .values("image")[:1]
    )
    qs = qs.annotate(
        cover_image=Coalesce(
            NullIf(F("profile_image"), Value("")),
            Subquery(newest_post_image),
            output_field=CharField(),
        )
    )
    qs = InfluencerFilterSet(filters if filters is not None else {}, queryset=qs).qs
    return qs.defer(
        "like_distribution",
        "count_distribution",
        "embedding_centroid",
        "word_counts",
    )


SNIPPET_CONTEXT = 40


def caption_snippet(caption: str, search: str, *, context: int = SNIPPET_CONTEXT) -> list[dict]:
    """The part of a caption around the first match of a search, as plain-text pieces
    [{"text": ..., "match": bool}], so each page or client escapes and highlights it itself;
    every word of the search (and its synonyms) inside that part is marked."""
    words = search_pattern(search)
    if not caption or words is None:
        return []
    found = words.search(caption)
    if found is None:
        return []
    left = max(0, found.start() - context)
    right = min(len(caption), found.end() + context)
    pieces, at = [], left
    for match in words.finditer(caption, left, right):
        pieces.append({"text": caption[at : match.start()], "match": False})
        pieces.append({"text": match.group(0), "match": True})
        at = match.end()
    pieces.append({"text": caption[at:right], "match": False})
    if left:
        pieces[0]["text"] = "…" + pieces[0]["text"]
    if right < len(caption):
        pieces[-1]["text"] += "…"
    return [p for p in pieces if p["text"]]


def post_instagram_url(post: Post) -> str:
    """The post's address on Instagram: its imported permalink, else /p/<shortcode>/ when its id
    is a short code; '' when none is known (common.instagram holds the rule)."""
    return instagram_post_url(
        permalink=post.permalink, post_id=post.instagram_id, is_demo=post.influencer.is_demo
    )


def post_get(*, handle: str, post_id, include_inactive: bool = False) -> Post:
    """One post of an influencer (by the influencer's handle, any case), or NotFoundError."""
    qs = Post.objects.select_related("influencer").defer("embedding", "style_probabilities")
    if not include_inactive:
        qs = qs.filter(influencer__is_active=True)
    try:
        return qs.get(pk=int(post_id), influencer__handle__iexact=handle)
    except (Post.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def influencer_get_by_id(*, influencer_id, active_only: bool = True) -> Influencer:
    """The influencer with this id (active ones only, unless asked), or NotFoundError."""
    qs = Influencer.objects.filter(is_active=True) if active_only else Influencer.objects.all()
    try:
        return qs.get(pk=int(influencer_id))
    except (Influencer.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("No such influencer.")) from None


def post_images(*, posts) -> list[list]:
    """Each post's images in order, the cover (`Post.image`) first, as stored files (FieldFile);
    [] for a post without one. One query for the whole list's carousel images."""
    extras = defaultdict(list)
    for extra in PostImage.objects.filter(post__in=[p.pk for p in posts]).order_by("position"):
        extras[extra.post_id].append(extra.image)
    return [([post.image] if post.image else []) + extras[post.pk] for post in posts]


def influencer_inactive_visible(*, user) -> bool:
    """Whether `user` may see deactivated influencers and their posts: staff with the model's
    view permission (not every staff account: issue 21), on pages and API alike."""
    return user_has_model_permission(user, VIEW_INACTIVE_PERMISSION)


def influencer_get(*, handle: str, active_only: bool = False) -> Influencer:
    """The influencer with this handle (any case), or NotFoundError."""
    qs = Influencer.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    try:
        return qs.get(handle__iexact=handle)
    except Influencer.DoesNotExist:
        raise NotFoundError() from None


def influencer_feed(*, influencer: Influencer, limit: int | None = 60):
    """The influencer's posts, newest first, without the heavy vector columns."""
    posts = (
        Post.objects.filter(influencer=influencer)
        .select_related("influencer")  # each post's Instagram address reads is_demo
        .defer("embedding", "style_probabilities")
    )
    return posts[:limit] if limit else posts


def influencer_style_shares(influencer: Influencer, *, by: str = "posts") -> list[dict]:
    """The style distribution for the chart: top-label shares of classified posts, largest first.
    Posts without an image have no style: they are not a bar of the distribution."""
    stats = {k: v for k, v in (influencer.style_stats or {}).items() if k != NO_IMAGE}
    total = sum(v[by] for v in stats.values()) or 1
    rows = [{"style": k, "value": v[by], "share": v[by] / total} for k, v in stats.items()]
    return sorted(rows, key=lambda r: (-r["value"], r["style"]))


def influencer_style_timeline(*, influencer: Influencer, months: int = TIMELINE_MONTHS) -> dict:
    """Each style's share of the classified posts by month (Asia/Seoul), for the last `months`
    months that have classified posts, oldest first. One query.

    {"columns": the TIMELINE_COLUMNS styles with the most posts over those months,
     "months": [{"month": "2026-03", "posts": n, "columns": [share per column],
                 "rest": share of the other styles, "styles": [{"style", "posts", "share"}]}]}
    """
    rows = (
        Post.objects.filter(
            influencer=influencer,
            classification_status=ClassificationStatus.DONE,
            posted_at__isnull=False,
        )
        .exclude(predicted_style="")
        .annotate(month=TruncMonth("posted_at"))
        .values("month", "predicted_style")
        .annotate(posts=Count("id"))
        .order_by()
    )
    by_month: dict = {}
    for row in rows:
        by_month.setdefault(row["month"], {})[row["predicted_style"]] = row["posts"]
    chosen = sorted(by_month)[-months:]
    totals: dict[str, int] = {}
    for month in chosen:
        for style, posts in by_month[month].items():
            totals[style] = totals.get(style, 0) + posts
    columns = sorted(totals, key=lambda style: (-totals[style], style))[:TIMELINE_COLUMNS]
    out = []
    for month in chosen:
        counts = by_month[month]
        total = sum(counts.values())
        styles = sorted(counts, key=lambda style: (-counts[style], style))
        shown = [round(counts.get(style, 0) / total, 4) for style in columns]
        out.append(
            {
                "month": month.strftime("%Y-%m"),
                "posts": total,
                "columns": shown,
                "rest": round(
                    sum(n for style, n in counts.items() if style not in columns) / total, 4
                ),
                "styles": [
                    {
                        "style": style,
                        "posts": counts[style],
                        "share": round(counts[style] / total, 4),
                    }
                    for style in styles
                ],
            }
        )
    return {"columns": columns, "months": out}


def influencer_style_models(*, influencer: Influencer) -> list[dict]:
    """The style models whose answers this influencer's post styles are, as users are told about
    them (a demo model's notice; a real model's held-out figures), demo first. Two queries."""
    ids = (
        Post.objects.filter(influencer=influencer, model_version__isnull=False)
        .order_by()
        .values_list("model_version", flat=True)
        .distinct()
    )
    # The registry's model, reached through the relation: the catalogue sits below the recommender.
    versions = Post.model_version.field.related_model.objects.filter(pk__in=list(ids))
    summaries = [
        style_model_summary(name=v.name, is_demo=v.is_demo, metrics=v.metrics)
        for v in versions.order_by("-is_demo", "pk")
    ]
    return summaries


def influencer_lookalikes(
    *, influencer: Influencer, gender: str = "", body_size: str = "", limit: int = 6
) -> list[tuple[Influencer, float]]:
    """The active influencers most like this one by style profile and post-embedding centroid,
    best first (never the influencer itself)."""
    profile = vector_from_bytes(influencer.count_distribution)
    if profile is None:
        return []
    centroid = vector_from_bytes(influencer.embedding_centroid)
    qs = Influencer.objects.filter(is_active=True, count_distribution__isnull=False).exclude(
        pk=influencer.pk
    )
    if gender or body_size:  # influencers needing curation pass no filter until staff set them
        qs = qs.curated()
    if gender:
        qs = qs.filter(gender=gender)
    if body_size:
        qs = qs.filter(body_size=body_size)
    rows = list(qs.values_list("pk", "count_distribution", "embedding_centroid"))
    if not rows:
        return []
    ids = np.array([r[0] for r in rows])
    profiles = np.stack([vector_from_bytes(r[1]) for r in rows])
    centroids = np.stack(
        [
            vector_from_bytes(r[2]) if r[2] is not None else np.zeros(EMBEDDING_DIM, np.float32)
            for r in rows
        ]
    )
    scores = lookalike_scores(profile, centroid, profiles, centroids)
    picks = top_k(scores, ids, limit)
    chosen = {i.pk: i for i in Influencer.objects.filter(pk__in=[int(ids[i]) for i in picks])}
    return [(chosen[int(ids[i])], float(scores[i])) for i in picks]


def import_job_list():
    """Import jobs, newest first."""
    return ImportJob.objects.all()


def import_job_get(*, job_id) -> ImportJob:
    try:
        return ImportJob.objects.get(pk=int(job_id))
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def saved_search_list(*, user):
    """The searches the user may open, newest first: their teams' (each with the user's
    `member_role` and who saved it) and their own personal ones (a consumer's).

    Membership is read here on every call: a member removed a moment ago sees none of the team's.
    """
    if not user.is_authenticated:
        return SavedSearch.objects.none()
    return (
        SavedSearch.objects.filter(
            Q(user=user, team__isnull=True)
            | Q(team__in=team_list_for_member(user=user).values("pk"))
        )
        .annotate(member_role=member_role_subquery(user=user))
        .select_related("user", "team")
    )


def saved_search_get(*, user, saved_search_id, need: str = TeamRole.VIEWER) -> SavedSearch:
    """One search the user may open: NotFoundError for anyone outside its team (or another
    user's personal one: the same answer as a missing id), PermissionDeniedError for a member
    whose role is below `need` (a viewer deleting). A personal search is its saver's alone."""
    try:
        saved = saved_search_list(user=user).get(pk=int(saved_search_id))
    except (SavedSearch.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError() from None
    if saved.team_id is not None:
        role_check(role=saved.member_role, need=need)
    return saved


KEYWORD_CATALOGUE_CACHE_KEY = "keywords:catalogue-counts"


def keyword_catalogue_counts(*, exclude_influencer_id: int | None = None) -> tuple[Counter, int]:
    """The word counts of the whole catalogue (the sum of every influencer's `word_counts`) and
    how many influencers hold counts, less the given influencer's own. Summed once per
    KEYWORD_CATALOGUE_CACHE_SECONDS in the shared cache."""
    cached = None
    seconds = settings.KEYWORD_CATALOGUE_CACHE_SECONDS
    if seconds:
        cached = cache.get(KEYWORD_CATALOGUE_CACHE_KEY)
    if cached is None:
        totals: Counter = Counter()
        holders = 0
        rows = Influencer.objects.exclude(word_counts={}).values_list("pk", "word_counts")
        for _pk, counts in rows.iterator(chunk_size=2000):
            totals.update(counts)
            holders += 1
        cached = (dict(totals), holders)
        if seconds:
            cache.set(KEYWORD_CATALOGUE_CACHE_KEY, cached, seconds)
    totals, holders = Counter(cached[0]), cached[1]
    if exclude_influencer_id is not None:
        own = (
            Influencer.objects.filter(pk=exclude_influencer_id)
            .values_list("word_counts", flat=True)
            .first()
        )
        if own and holders > 0:  # a cached sum from before its first summary may lack it
            totals.subtract(own)
            totals = +totals  # drop words that were only this influencer's
            holders -= 1
    return totals, holders
