"""Catalogue reads for pages, the API and the rankings; each list costs a constant number of queries."""

import numpy as np
from django.db.models import Q

from common.errors import NotFoundError
from common.vectors import vector_from_bytes
from influencers.models import ImportJob, Influencer, Post
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
    }


def influencer_list(
    *,
    search: str = "",
    style: str = "",
    gender: str = "",
    body_size: str = "",
    min_followers: int | None = None,
    min_engagement: float | None = None,
    active_only: bool = True,
):
    qs = Influencer.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    if search:
        term = search.strip().lstrip("@#")
        qs = qs.filter(
            Q(handle__icontains=term)
            | Q(display_name__icontains=term)
            | Q(keywords__icontains=term)
        )
    if style:
        qs = qs.filter(Q(brand_style=style) | Q(consumer_style=style))
    if gender:
        qs = qs.filter(gender=gender)
    if body_size:
        qs = qs.filter(body_size=body_size)
    if min_followers is not None:
        qs = qs.filter(followers__gte=min_followers)
    if min_engagement is not None:
        qs = qs.filter(engagement_rate__gte=min_engagement)
    return qs.defer("like_distribution", "count_distribution", "embedding_centroid")


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
    posts = Post.objects.filter(influencer=influencer).defer("embedding", "style_probabilities")
    return posts[:limit] if limit else posts


def influencer_style_shares(influencer: Influencer, *, by: str = "posts") -> list[dict]:
    """The style distribution for the chart: top-label shares of classified posts, largest first."""
    stats = influencer.style_stats
    total = sum(v[by] for v in stats.values()) or 1
    rows = [{"style": k, "value": v[by], "share": v[by] / total} for k, v in stats.items()]
    return sorted(rows, key=lambda r: (-r["value"], r["style"]))


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


def import_job_get(*, job_id) -> ImportJob:
    try:
        return ImportJob.objects.get(pk=int(job_id))
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None
