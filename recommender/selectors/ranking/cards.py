"""A ranking's cards: the influencer's summary, the posts that show why, and its style lines."""

import math

import numpy as np
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from common.vectors import vector_from_bytes
from influencers.models import Influencer, Post
from influencers.selectors import INFLUENCER_SUMMARY_FIELDS, influencer_summary
from mlcore.ranking import query_style_weights
from mlcore.styles import STYLE_CODES
from recommender.selectors.ranking.query import RankingQuery

EVIDENCE_POSTS = 3
EVIDENCE_CANDIDATES = 48
# What evidence_of() reads of a post: evidence querysets load only these (no query per post).
EVIDENCE_FIELDS = (
    "pk",
    "instagram_id",
    "image",
    "extra_image_count",
    "effective_likes",
    "predicted_style",
)
# What a card reads: the summary, and the style statistics its evidence lines come from.
CARD_FIELDS = (*INFLUENCER_SUMMARY_FIELDS, "style_stats")


def card_influencers(influencer_ids) -> dict[int, Influencer]:
    """The influencers to build cards of, by id, with only what a card reads (one query)."""
    return {i.pk: i for i in Influencer.objects.filter(pk__in=influencer_ids).only(*CARD_FIELDS)}


def most_liked_posts_of_style(influencer_ids: list[int], style: str) -> dict[int, list[dict]]:
    """Per card, its most-liked posts in `style`."""
    evidence: dict[int, list[dict]] = {}
    # One bounded query per card (at most k), each using the (influencer, style, likes) index.
    for pk in influencer_ids:
        posts = (
            Post.objects.filter(influencer_id=pk, predicted_style=style)
            .exclude(image="")
            .only(*EVIDENCE_FIELDS)
            .order_by("-effective_likes", "pk")[:EVIDENCE_POSTS]
        )
        evidence[pk] = [evidence_of(p, None) for p in posts]
    return evidence


def closest_posts(influencer_ids: list[int], embedding: np.ndarray) -> dict[int, list[dict]]:
    """Per card, the recent posts closest to the query image.

    Only each influencer's EVIDENCE_CANDIDATES most recent classified posts are compared, so the
    cost stays flat however many posts an account or the catalogue holds.
    """
    evidence: dict[int, list[dict]] = {}
    query = np.asarray(embedding, dtype=np.float32)
    if not influencer_ids:
        return evidence
    # One query for every card: each influencer's posts numbered newest first, the first
    # EVIDENCE_CANDIDATES kept (the order a post is read in does not matter: see the sort below).
    recent = (
        Post.objects.filter(influencer_id__in=influencer_ids, embedding__isnull=False)
        .annotate(
            _recent=Window(
                RowNumber(),
                partition_by=F("influencer_id"),
                order_by=[F("posted_at").desc(), F("pk").desc()],
            )
        )
        .filter(_recent__lte=EVIDENCE_CANDIDATES)
        .only(*EVIDENCE_FIELDS, "embedding", "influencer_id")
    )
    groups: dict[int, list[Post]] = {}
    for post in recent:
        groups.setdefault(post.influencer_id, []).append(post)
    for pk in influencer_ids:
        group = groups.get(pk)
        if not group:
            continue
        sims = np.stack([vector_from_bytes(p.embedding) for p in group]) @ query
        order = np.lexsort((np.array([p.pk for p in group]), -sims))[:EVIDENCE_POSTS]
        evidence[pk] = [evidence_of(group[i], float(sims[i])) for i in order]
    return evidence


def evidence_of(post: Post, similarity: float | None) -> dict:
    return {
        "post_id": post.pk,
        "instagram_id": post.instagram_id,
        "image": post.image.name,
        "extra_images": post.extra_image_count,  # a carousel's images after this cover
        "likes": round(post.effective_likes, 1),
        "style": post.predicted_style,
        "similarity": round(similarity, 4) if similarity is not None else None,
    }


def style_evidence_lines(stats: dict, styles: list[str]) -> list[dict]:
    """Why a card is there: per style, how many of the influencer's classified posts show it and
    the likes those posts got (hidden likes counted as imputed), with their shares."""
    all_posts = sum(v.get("posts", 0) for v in stats.values())
    all_likes = math.fsum(v.get("likes", 0.0) for v in stats.values())
    lines = []
    for style in styles:
        entry = stats.get(style, {})
        posts, likes = entry.get("posts", 0), entry.get("likes", 0.0)
        lines.append(
            {
                "style": style,
                "posts": posts,
                "of_posts": all_posts,
                "share": round(posts / all_posts, 4) if all_posts else 0.0,
                "likes": round(likes, 1),
                "likes_share": round(likes / all_likes, 4) if all_likes else 0.0,
            }
        )
    return lines


def card_build(
    influencer: Influencer,
    query: RankingQuery,
    *,
    styles: list[str],
    score,
    similarity,
    evidence,
    size_relaxed: bool = False,
    nearest_style: str = "",
    enough_evidence: bool = True,
) -> dict:
    """The influencer's summary as every page and the API show it, plus why it was chosen.

    style_share: how many of the influencer's classified posts show the predicted style.
    enough_evidence: False for a brand card ranked after those with enough posts in the styles.
    """
    representative = influencer.brand_style if query.by_likes else influencer.consumer_style
    # The likeliest style first; a style the influencer never posts says nothing about why the
    # card is there (the "no posts in <style>" badge covers the predicted one).
    weights = query_style_weights(query.probabilities)
    ordered = sorted(styles, key=lambda style: -weights[STYLE_CODES.index(style)])
    every_line = style_evidence_lines(influencer.style_stats or {}, ordered)
    lines = [line for line in every_line if line["posts"]] or every_line[:1]
    (predicted,) = style_evidence_lines(influencer.style_stats or {}, [query.top_style])
    return {
        **influencer_summary(influencer),
        "representative_style": representative,
        "score": round(float(score), 4),
        "similarity": round(similarity, 4) if similarity is not None else None,
        "size_relaxed": size_relaxed,
        "nearest_style": nearest_style,
        "shows_predicted_style": bool(
            (influencer.style_stats or {}).get(query.top_style, {}).get("posts", 0)
        ),
        "style_evidence": lines,
        "style_share": {key: predicted[key] for key in ("style", "posts", "of_posts", "share")},
        "enough_evidence": enough_evidence,
        "evidence": evidence,
    }
