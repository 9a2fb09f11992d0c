"""The two rankings. Both read stored influencer profiles only (never recount posts per query)."""

from dataclasses import dataclass, field

import numpy as np

from accounts.models import Role
from common.vectors import vector_from_bytes
from influencers.models import Influencer, Post
from influencers.selectors import INFLUENCER_SUMMARY_FIELDS, influencer_summary
from mlcore.ranking import similarity_scores, top_k
from mlcore.styles import STYLE_CODES

EVIDENCE_POSTS = 3
EVIDENCE_CANDIDATES = 48


@dataclass
class RankingQuery:
    mode: str  # a Role: brands rank by likes, consumers by posts
    gender: str
    body_size: str
    probabilities: np.ndarray  # over the taxonomy
    embedding: np.ndarray
    k: int = 3

    @property
    def top_style(self) -> str:
        """The best of the 23 styles (기타 never drives a recommendation)."""
        p = self.probabilities[: len(STYLE_CODES)]
        return STYLE_CODES[int(np.argmax(p))]


@dataclass
class RankingResult:
    ranking: str
    cards: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"ranking": self.ranking, "cards": self.cards, "notes": self.notes}


def _base_queryset(query: RankingQuery, *, relax_size: bool = False):
    qs = Influencer.objects.filter(is_active=True, gender=query.gender)
    return qs if relax_size else qs.filter(body_size=query.body_size)


def ranking_original(query: RankingQuery) -> RankingResult:
    """The prototype's ranking: influencers whose representative style is the query's top style."""
    style = query.top_style
    if query.mode == Role.BRAND:
        qs = _base_queryset(query).filter(brand_style=style).order_by("-brand_style_likes", "pk")
    else:
        qs = (
            _base_queryset(query)
            .filter(consumer_style=style)
            .order_by("-consumer_style_posts", "pk")
        )
    influencers = list(qs.only(*INFLUENCER_SUMMARY_FIELDS)[: query.k])
    result = RankingResult("original")
    evidence = _most_liked_posts_of_style([i.pk for i in influencers], style)
    for influencer in influencers:
        stats = influencer.style_stats.get(style, {})
        score = stats.get("likes" if query.mode == Role.BRAND else "posts", 0)
        result.cards.append(
            _card(
                influencer,
                query,
                score=score,
                similarity=None,
                evidence=evidence.get(influencer.pk, []),
                relaxed=False,
            )
        )
    if len(influencers) < query.k:
        result.notes.append("fewer_matches")
    return result


def ranking_similarity(query: RankingQuery) -> RankingResult:
    """Similarity of the query's style distribution to each profile, blended with engagement."""
    result = RankingResult("similarity")
    chosen = _similarity_candidates(query, relax_size=False, exclude=set())
    relaxed = []
    if len(chosen) < query.k:
        result.notes.append("fewer_matches")
        relaxed = _similarity_candidates(query, relax_size=True, exclude={pk for pk, *_ in chosen})[
            : query.k - len(chosen)
        ]
        if relaxed:
            result.notes.append("size_relaxed")
    picks = [(*c, False) for c in chosen] + [(*c, True) for c in relaxed]
    influencers = {
        i.pk: i
        for i in Influencer.objects.filter(pk__in=[p[0] for p in picks]).only(
            *INFLUENCER_SUMMARY_FIELDS
        )
    }
    evidence = _closest_posts([p[0] for p in picks], query.embedding)
    for pk, score, similarity, was_relaxed in picks:
        result.cards.append(
            _card(
                influencers[pk],
                query,
                score=score,
                similarity=similarity,
                evidence=evidence.get(pk, []),
                relaxed=was_relaxed,
            )
        )
    return result


def _similarity_candidates(query: RankingQuery, *, relax_size: bool, exclude: set[int]):
    column = "like_distribution" if query.mode == Role.BRAND else "count_distribution"
    rows = list(
        _base_queryset(query, relax_size=relax_size)
        .exclude(pk__in=exclude)
        .filter(**{f"{column}__isnull": False})
        .values_list("pk", column, "average_likes", "engagement_rate")
    )
    if not rows:
        return []
    ids = np.array([r[0] for r in rows])
    profiles = np.stack([vector_from_bytes(r[1]) for r in rows])
    average = np.array([r[2] for r in rows], dtype=np.float64)
    rates = np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=np.float64)
    scores, similarity = similarity_scores(query.probabilities, profiles, average, rates)
    picks = top_k(scores, ids, query.k)
    return [(int(ids[i]), float(scores[i]), float(similarity[i])) for i in picks]


def _most_liked_posts_of_style(influencer_ids: list[int], style: str) -> dict[int, list[dict]]:
    evidence: dict[int, list[dict]] = {}
    if not influencer_ids:
        return evidence
    # One bounded query per card (at most k), each using the (influencer, style, likes) index.
    for pk in influencer_ids:
        posts = (
            Post.objects.filter(influencer_id=pk, predicted_style=style)
            .exclude(image="")
            .order_by("-effective_likes", "pk")[:EVIDENCE_POSTS]
        )
        evidence[pk] = [_evidence(p, None) for p in posts]
    return evidence


def _closest_posts(influencer_ids: list[int], embedding: np.ndarray) -> dict[int, list[dict]]:
    """Per card, the recent posts closest to the query image.

    Only each influencer's EVIDENCE_CANDIDATES most recent classified posts are compared, so the
    cost stays flat however many posts an account or the catalogue holds.
    """
    evidence: dict[int, list[dict]] = {}
    query = np.asarray(embedding, dtype=np.float32)
    for pk in influencer_ids:
        group = list(
            Post.objects.filter(influencer_id=pk, embedding__isnull=False)
            .order_by("-posted_at", "-pk")
            .only(
                "pk",
                "instagram_id",
                "image",
                "extra_image_count",
                "effective_likes",
                "predicted_style",
                "embedding",
            )[:EVIDENCE_CANDIDATES]
        )
        if not group:
            continue
        sims = np.stack([vector_from_bytes(p.embedding) for p in group]) @ query
        order = np.lexsort((np.array([p.pk for p in group]), -sims))[:EVIDENCE_POSTS]
        evidence[pk] = [_evidence(group[i], float(sims[i])) for i in order]
    return evidence


def _evidence(post: Post, similarity: float | None) -> dict:
    return {
        "post_id": post.pk,
        "instagram_id": post.instagram_id,
        "image": post.image.name,
        "extra_images": post.extra_image_count,  # a carousel's images after this cover
        "likes": round(post.effective_likes, 1),
        "style": post.predicted_style,
        "similarity": round(similarity, 4) if similarity is not None else None,
    }


def _card(
    influencer: Influencer, query: RankingQuery, *, score, similarity, evidence, relaxed
) -> dict:
    """The influencer's summary as every page and the API show it, plus why it was chosen."""
    representative = (
        influencer.brand_style if query.mode == Role.BRAND else influencer.consumer_style
    )
    return {
        **influencer_summary(influencer),
        "representative_style": representative,
        "score": round(float(score), 4),
        "similarity": round(similarity, 4) if similarity is not None else None,
        "size_relaxed": relaxed,
        "evidence": evidence,
    }
