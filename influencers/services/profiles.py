"""Hidden-like imputation and the per-influencer style profile.

Both are rebuilt for one influencer whenever its posts change (import, classification,
re-classification), so every query reads stored values instead of recounting posts.
"""

import math

import numpy as np
from django.db import transaction
from django.db.models import Avg, F
from django.utils import timezone

from common.styles import NO_IMAGE
from common.vectors import vector_from_bytes, vector_to_bytes
from influencers.constants import PROFILE_LIKES_DECIMALS
from influencers.models import ClassificationStatus, Influencer, InfluencerStyleShare, Post
from mlcore.ranking import style_evidence
from mlcore.styles import STYLE_CODES, TAXONOMY_CODES, TAXONOMY_INDEX, without_other


def influencer_likes_impute(*, influencer_id: int) -> float:
    """Hidden like counts count as the mean of the account's visible ones (0 when none are)."""
    visible = Post.objects.filter(influencer_id=influencer_id, likes__isnull=False)
    mean = visible.aggregate(mean=Avg("likes"))["mean"] or 0.0
    visible.exclude(effective_likes=F("likes"), likes_imputed=False).update(
        effective_likes=F("likes"), likes_imputed=False
    )
    Post.objects.filter(influencer_id=influencer_id, likes__isnull=True).exclude(
        effective_likes=mean, likes_imputed=True
    ).update(effective_likes=mean, likes_imputed=True)
    return mean


def _likes_total(values: list[float]) -> float:
    return round(math.fsum(values), PROFILE_LIKES_DECIMALS)


def _representative(stats: dict, primary: str, secondary: str) -> str:
    """The style with the most `primary` (ties: more `secondary`, then taxonomy order)."""
    candidates = [code for code in STYLE_CODES if stats.get(code, {}).get("posts")]
    if not candidates:
        return ""
    return max(
        candidates, key=lambda c: (stats[c][primary], stats[c][secondary], -TAXONOMY_INDEX[c])
    )


def _normalised(vector: np.ndarray) -> np.ndarray | None:
    vector = without_other(vector)
    total = vector.sum()
    return vector / total if total > 0 else None


def style_shares(stats: dict) -> dict[str, tuple[int, float]]:
    """{style: (posts, share)} of the 23 styles posted: the share of the classified posts with an
    image (the rule of the influencer page's distribution and of the list's style filter)."""
    with_image = sum(v.get("posts", 0) for k, v in stats.items() if k != NO_IMAGE)
    return {
        code: (stats[code]["posts"], stats[code]["posts"] / with_image)
        for code in STYLE_CODES
        if stats.get(code, {}).get("posts") and with_image
    }


def style_share_rows(influencer_id: int, stats: dict) -> list[InfluencerStyleShare]:
    """The influencer's InfluencerStyleShare rows, one per style posted: the list's share and
    the similarity ranking's evidence (mlcore.ranking.style_evidence, consumers and brands)."""
    # style_evidence's columns are the 23 styles in taxonomy order (TAXONOMY_INDEX's first 23).
    by_posts, _ = style_evidence(stats, by_likes=False)
    by_likes, _ = style_evidence(stats, by_likes=True)
    return [
        InfluencerStyleShare(
            influencer_id=influencer_id,
            style=style,
            posts=posts,
            share=share,
            consumer_evidence=float(by_posts[TAXONOMY_INDEX[style]]),
            brand_evidence=float(by_likes[TAXONOMY_INDEX[style]]),
        )
        for style, (posts, share) in style_shares(stats).items()
    ]


@transaction.atomic
def influencer_style_profile_rebuild(*, influencer_id: int) -> Influencer:
    """Impute hidden likes, then recompute this influencer's stored style profile."""
    influencer_likes_impute(influencer_id=influencer_id)
    rows = Post.objects.filter(influencer_id=influencer_id).values_list(
        "likes",
        "effective_likes",
        "predicted_style",
        "classification_status",
        "style_probabilities",
        "embedding",
        "posted_at",
    )
    stats: dict[str, dict] = {}
    style_likes: dict[str, list[float]] = {}
    all_likes: list[float] = []
    like_sum = np.zeros(len(TAXONOMY_CODES), dtype=np.float64)
    count_sum = np.zeros(len(TAXONOMY_CODES), dtype=np.float64)
    embeddings = []
    post_count, classified = 0, 0
    likes_known = False
    last_posted_at = None
    for crawled_likes, likes, style, status, probs, embedding, posted_at in rows:
        post_count += 1
        if posted_at is not None and (last_posted_at is None or posted_at > last_posted_at):
            last_posted_at = posted_at
        likes_known = likes_known or crawled_likes is not None
        all_likes.append(likes)
        if status not in (ClassificationStatus.DONE, ClassificationStatus.UNCLASSIFIABLE):
            continue
        classified += 1
        key = style or NO_IMAGE
        entry = stats.setdefault(key, {"posts": 0, "likes": 0.0})
        entry["posts"] += 1
        style_likes.setdefault(key, []).append(likes)
        vector = vector_from_bytes(probs)
        if vector is not None and len(vector) == len(TAXONOMY_CODES):
            like_sum += vector * likes
            count_sum += vector
        if embedding is not None:
            embeddings.append(vector_from_bytes(embedding))
    # Exact sums, rounded: equal totals are equal numbers (imputed means would otherwise leave
    # 100.00000000000001 beside 100.0 and break ties by float noise, not by the tie rule).
    for key, values in style_likes.items():
        stats[key]["likes"] = _likes_total(values)
    total_likes = _likes_total(all_likes)
    brand_style = _representative(stats, "likes", "posts")
    consumer_style = _representative(stats, "posts", "likes")
    like_dist = _normalised(like_sum)
    if like_dist is None:  # every visible like is zero: fall back to the post counts
        like_dist = _normalised(count_sum)
    count_dist = _normalised(count_sum)
    centroid = None
    if embeddings:
        mean = np.mean(embeddings, axis=0)
        norm = np.linalg.norm(mean)
        centroid = mean / norm if norm > 0 else None
    shares = style_shares(stats)
    InfluencerStyleShare.objects.filter(influencer_id=influencer_id).delete()
    InfluencerStyleShare.objects.bulk_create(style_share_rows(influencer_id, stats))
    Influencer.objects.filter(pk=influencer_id).update(
        consumer_style_share=shares.get(consumer_style, (0, 0.0))[1],
        last_posted_at=last_posted_at,
        post_count=post_count,
        classified_post_count=classified,
        total_likes=total_likes,
        likes_known=likes_known,
        style_stats={k: stats[k] for k in sorted(stats)},
        brand_style=brand_style,
        brand_style_likes=stats.get(brand_style, {}).get("likes", 0.0),
        consumer_style=consumer_style,
        consumer_style_posts=stats.get(consumer_style, {}).get("posts", 0),
        like_distribution=vector_to_bytes(like_dist) if like_dist is not None else None,
        count_distribution=vector_to_bytes(count_dist) if count_dist is not None else None,
        embedding_centroid=vector_to_bytes(centroid) if centroid is not None else None,
        profile_updated_at=timezone.now(),
    )
    return Influencer.objects.get(pk=influencer_id)


def influencer_profiles_rebuild(*, influencer_ids) -> int:
    for influencer_id in sorted(set(influencer_ids)):
        influencer_style_profile_rebuild(influencer_id=influencer_id)
    return len(set(influencer_ids))
