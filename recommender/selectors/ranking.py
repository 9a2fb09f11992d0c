"""The two rankings. Both read stored influencer profiles only (never recount posts per query).

The rules and why: docs/ranking.md. The maths: mlcore/ranking.py.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role
from common.styles import style_label
from common.vectors import vector_from_bytes
from influencers.constants import PROFILE_LIKES_DECIMALS
from influencers.models import Influencer, Post
from influencers.selectors import INFLUENCER_SUMMARY_FIELDS, influencer_summary
from mlcore.ranking import (
    engagement_scores,
    evidence_scores,
    nearest_style_order,
    query_style_weights,
    style_evidence,
    top_k,
    visual_scores,
)
from mlcore.styles import STYLE_CODES
from recommender.models import RecommendationRequest

Ranking = RecommendationRequest.Ranking
# The visual ranking's name in results and benchmarks (measured, not offered: not a Ranking choice).
VISUAL_RANKING = "visual"
EVIDENCE_POSTS = 3
EVIDENCE_CANDIDATES = 48
# The nearest-style fill reads the posters of the model's next guesses this many styles at a time.
NEAREST_STYLES_PER_READ = 3
# What _evidence() reads of a post: evidence querysets load only these (no query per post).
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


class Note:
    """Codes a result carries in `notes`; pages and the API word them (both languages)."""

    FEWER_MATCHES = "fewer_matches"  # fewer than k influencers in the filters post the styles
    SIZE_RELAXED = "size_relaxed"  # cards from other body sizes fill the rest (marked)
    NO_STYLE_MATCH = "no_style_match"  # nobody in the filters posts the predicted style
    NEAREST_STYLE = "nearest_style"  # cards of the model's next guess fill the rest (marked)


@dataclass
class RankingQuery:
    mode: str  # a Role: brands rank by likes, consumers by posts
    gender: str
    body_size: str
    probabilities: np.ndarray  # over the taxonomy (the 23 styles, then 기타)
    embedding: np.ndarray
    k: int  # the places to fill (the page: RECOMMENDATION_TOP_K)

    @property
    def top_style(self) -> str:
        """The best of the 23 styles (기타 never drives a recommendation)."""
        return STYLE_CODES[int(np.argmax(query_style_weights(self.probabilities)))]

    @property
    def confidence(self) -> float:
        """The (calibrated) probability of the top style; 기타's share never counts toward it."""
        return float(np.asarray(self.probabilities)[STYLE_CODES.index(self.top_style)])

    @property
    def by_likes(self) -> bool:
        return self.mode == Role.BRAND


@dataclass
class RankingResult:
    ranking: str
    k: int  # the places asked for: the notices word "fewer than k" with it, whatever k is today
    cards: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Set when nobody in the filters posts the predicted style: what was shown instead.
    no_match: dict | None = None
    # The styles whose posters fill the places no match took (cards marked), nearest first.
    nearest_styles: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "ranking": str(self.ranking),
            "k": self.k,
            "cards": self.cards,
            "notes": self.notes,
            "no_match": self.no_match,
            "nearest_styles": self.nearest_styles,
        }


def _base_queryset(query: RankingQuery, *, relax_size: bool = False):
    # Curated only: an influencer whose gender or size staff have not set yet (created by an
    # import) passes no filter, not even the gender-only one relax_size leaves.
    qs = Influencer.objects.curated().filter(is_active=True, gender=query.gender)
    return qs if relax_size else qs.filter(body_size=query.body_size)


def ranking_original(query: RankingQuery) -> RankingResult:
    """The prototype's ranking: influencers whose representative style is the query's top style."""
    style = query.top_style
    if query.by_likes:
        influencers = _original_by_likes(query, style)
    else:
        qs = (
            _base_queryset(query)
            .filter(consumer_style=style)
            .order_by("-consumer_style_posts", "pk")
        )
        influencers = list(qs.only(*CARD_FIELDS)[: query.k])
    scores = {}
    for influencer in influencers:
        stats = (influencer.style_stats or {}).get(style, {})
        scores[influencer.pk] = getattr(
            influencer, "imputed_style_likes", stats.get("likes" if query.by_likes else "posts", 0)
        )
    result = RankingResult(Ranking.ORIGINAL, k=query.k)
    evidence = _most_liked_posts_of_style([i.pk for i in influencers], style)
    for influencer in influencers:
        result.cards.append(
            _card(
                influencer,
                query,
                styles=[style],
                score=scores[influencer.pk],
                similarity=None,
                evidence=evidence.get(influencer.pk, []),
            )
        )
    if len(influencers) < query.k:
        result.notes.append(Note.FEWER_MATCHES)
    if not influencers:
        result.notes.append(Note.NO_STYLE_MATCH)
        result.no_match = {"style": style, "relaxed_filter": "", "nearest_styles": []}
    return result


def _original_by_likes(query: RankingQuery, style: str) -> list[Influencer]:
    """Brands: the influencers whose most-liked style is `style`, by the likes of those posts.

    An account that hides every like has no likes of its own to impute from (its posts count 0):
    its posts of the style count the mean likes per post of the other matching accounts, never 0.
    Two queries: the matching profiles' numbers, then the k cards.
    """
    rows = list(
        _base_queryset(query)
        .filter(brand_style=style)
        .annotate(
            likes_known=Exists(Post.objects.filter(influencer=OuterRef("pk"), likes__isnull=False))
        )
        .values_list("pk", "brand_style_likes", "style_stats", "likes_known")
    )
    posts = {pk: (stats or {}).get(style, {}).get("posts", 0) for pk, _, stats, _ in rows}
    known = [(likes, posts[pk]) for pk, likes, _, k in rows if k]
    known_posts = sum(posts for _, posts in known)
    per_post = math.fsum(likes for likes, _ in known) / known_posts if known_posts else 0.0
    value = {
        pk: likes if k else round(posts[pk] * per_post, PROFILE_LIKES_DECIMALS)
        for pk, likes, _, k in rows
    }
    picks = sorted(value, key=lambda pk: (-value[pk], pk))[: query.k]
    chosen = {i.pk: i for i in Influencer.objects.filter(pk__in=picks).only(*CARD_FIELDS)}
    for pk in picks:
        chosen[pk].imputed_style_likes = value[pk]
    return [chosen[pk] for pk in picks]


@dataclass(eq=False)
class _Candidate:
    pk: int
    in_size: bool
    shares: np.ndarray  # per style: share of posts (consumers) or of likes (brands)
    posts: np.ndarray  # per style: number of posts (whether it posts a style at all)
    average_likes: float
    like_rate: float | None
    likes_known: bool  # any like visible (else the average is imputed from the others)
    score: float = 0.0
    evidence: float = 0.0


def ranking_similarity(query: RankingQuery) -> RankingResult:
    """Style evidence first: influencers whose posts show the query's styles, best evidence first,
    engagement ordering only those of comparable evidence (mlcore.ranking)."""
    result = RankingResult(Ranking.SIMILARITY, k=query.k)
    weights = query_style_weights(query.probabilities)
    top_index = STYLE_CODES.index(query.top_style)
    query_styles = [STYLE_CODES[i] for i in np.flatnonzero(weights)]
    matching = _candidates(query, same_size=True, posting=query_styles)

    picks: list[tuple[_Candidate, dict]] = []  # (candidate, how it was chosen)
    for c in _ranked(matching, weights)[: query.k]:
        picks.append((c, {}))
    if len(picks) < query.k:
        result.notes.append(Note.FEWER_MATCHES)
        other_size = _candidates(query, same_size=False, posting=query_styles)
        relaxed = _ranked(other_size, weights)[: query.k - len(picks)]
        if relaxed:
            result.notes.append(Note.SIZE_RELAXED)
        picks += [(c, {"size_relaxed": True}) for c in relaxed]
    if len(picks) < query.k:
        # Only the posters of the next guesses are read, a few styles at a time, so the cost
        # follows them and not the whole catalogue in the filters.
        chosen = {c.pk for c, _ in picks}
        order = nearest_style_order(query.probabilities, weights)
        for start in range(0, len(order), NEAREST_STYLES_PER_READ):
            if len(picks) >= query.k:
                break
            styles = order[start : start + NEAREST_STYLES_PER_READ]
            posting = [STYLE_CODES[i] for i in styles]
            rest = [
                c for c in _candidates(query, same_size=True, posting=posting) if c.pk not in chosen
            ]
            for c, style in _nearest_style_fill(rest, styles, places=query.k - len(picks)):
                if style not in result.nearest_styles:
                    result.nearest_styles.append(style)
                picks.append((c, {"nearest_style": style}))
                chosen.add(c.pk)
        if result.nearest_styles:
            result.notes.append(Note.NEAREST_STYLE)
    if not any(c.posts[top_index] > 0 for c in matching):
        result.notes.append(Note.NO_STYLE_MATCH)
        result.no_match = {
            "style": query.top_style,
            "relaxed_filter": "body_size" if Note.SIZE_RELAXED in result.notes else "",
            "nearest_styles": result.nearest_styles,
        }

    influencers = {
        i.pk: i
        for i in Influencer.objects.filter(pk__in=[c.pk for c, _ in picks]).only(*CARD_FIELDS)
    }
    posts = _closest_posts([c.pk for c, _ in picks], query.embedding)
    for candidate, how in picks:
        styles = [how["nearest_style"]] if how.get("nearest_style") else query_styles
        result.cards.append(
            _card(
                influencers[candidate.pk],
                query,
                styles=styles,
                score=candidate.score,
                similarity=None,
                evidence=posts.get(candidate.pk, []),
                size_relaxed=how.get("size_relaxed", False),
                nearest_style=how.get("nearest_style", ""),
            )
        )
    return result


def ranking_visual(query: RankingQuery) -> RankingResult:
    """Measured, not offered (docs/benchmarks.md): influencers in the filters whose posts look most
    like the photo (mean of the best post-embedding cosines), whatever their styles.

    It reads every classified post of the filtered influencers (one query), so its cost grows with
    the catalogue; bench/e2e_quality.py compares it with the other two.
    """
    result = RankingResult(VISUAL_RANKING, k=query.k)
    rows = list(
        Post.objects.filter(
            influencer__in=_base_queryset(query), embedding__isnull=False
        ).values_list("influencer_id", "embedding")
    )
    if not rows:
        result.notes.append(Note.FEWER_MATCHES)
        return result
    owners = np.array([r[0] for r in rows])
    embeddings = np.stack([vector_from_bytes(r[1]) for r in rows])
    scores = visual_scores(np.asarray(query.embedding), embeddings, owners)
    ids = np.array(sorted(scores))
    picks = [int(ids[i]) for i in top_k(np.array([scores[i] for i in ids]), ids, query.k)]
    influencers = {i.pk: i for i in Influencer.objects.filter(pk__in=picks).only(*CARD_FIELDS)}
    posts = _closest_posts(picks, query.embedding)
    styles = [STYLE_CODES[i] for i in np.flatnonzero(query_style_weights(query.probabilities))]
    for pk in picks:
        result.cards.append(
            _card(
                influencers[pk],
                query,
                styles=styles,
                score=scores[pk],
                similarity=scores[pk],
                evidence=posts.get(pk, []),
            )
        )
    return result


def _candidates(
    query: RankingQuery, *, same_size: bool, posting: list[str] | None = None
) -> list[_Candidate]:
    """Active influencers of the query's gender, of its body size or of the others, with their
    style shares, average likes and whether any of their likes is visible, in one query.

    posting: only those with posts in one of these styles (the only ones that can be matches),
    so the work follows the matching influencers, not the whole catalogue.
    """
    qs = _base_queryset(query, relax_size=True)
    qs = (
        qs.filter(body_size=query.body_size) if same_size else qs.exclude(body_size=query.body_size)
    )
    if posting is not None:
        has_style = Q()
        for style in posting:
            has_style |= Q(style_stats__has_key=style)
        qs = qs.filter(has_style)
    rows = qs.annotate(
        likes_known=Exists(Post.objects.filter(influencer=OuterRef("pk"), likes__isnull=False))
    ).values_list("pk", "style_stats", "average_likes", "engagement_rate", "likes_known")
    out = []
    for pk, stats, average, rate, known in rows:
        shares, posts = style_evidence(stats or {}, by_likes=query.by_likes)
        out.append(
            _Candidate(
                pk=pk,
                in_size=same_size,
                shares=shares,
                posts=posts,
                average_likes=average,
                like_rate=rate,
                likes_known=bool(known),
            )
        )
    return out


def _nearest_style_fill(
    rest: list[_Candidate], order: list[int], *, places: int
) -> list[tuple[_Candidate, str]]:
    """Up to `places` (candidate, style) from `rest` (influencers in the filters, not yet cards,
    who post one of the styles `order` lists), one style after another in that order.

    Engagement is computed once, relative to the best of `rest`, and every style's scores come
    from one matrix product.
    """
    if not rest or not order:
        return []
    one_style_each = np.eye(len(STYLE_CODES))[:, order]  # a column per next guess
    scores, evidence = evidence_scores(
        one_style_each, np.stack([c.shares for c in rest]), _engagement(rest)
    )
    posts = np.stack([c.posts for c in rest])[:, order]
    ids = np.array([c.pk for c in rest])
    taken = np.zeros(len(rest), dtype=bool)
    out: list[tuple[_Candidate, str]] = []
    for column, index in enumerate(order):
        posting = (posts[:, column] > 0) & ~taken
        if not posting.any():
            continue
        rows = np.flatnonzero(posting)
        for row in rows[top_k(scores[rows, column], ids[rows], places - len(out))]:
            c = rest[row]
            c.score, c.evidence = float(scores[row, column]), float(evidence[row, column])
            taken[row] = True
            out.append((c, STYLE_CODES[index]))
        if len(out) >= places:
            break
    return out


def _engagement(candidates: list[_Candidate]) -> np.ndarray:
    """Each candidate's engagement, relative to the best of `candidates`."""
    return engagement_scores(
        np.array([c.average_likes for c in candidates], dtype=np.float64),
        np.array([np.nan if c.like_rate is None else c.like_rate for c in candidates]),
        np.array([c.likes_known for c in candidates]),
    )


def _ranked(candidates: list[_Candidate], weights: np.ndarray) -> list[_Candidate]:
    """The candidates that post one of the styles `weights` asks for, best first."""
    if not candidates:
        return []
    scores, evidence = evidence_scores(
        weights, np.stack([c.shares for c in candidates]), _engagement(candidates)
    )
    for c, s, e in zip(candidates, scores, evidence, strict=True):
        c.score, c.evidence = float(s), float(e)
    ids = np.array([c.pk for c in candidates])
    ranked = [candidates[i] for i in top_k(scores, ids, None)]
    asked = weights > 0
    return [c for c in ranked if c.posts[asked].any()]


def _most_liked_posts_of_style(influencer_ids: list[int], style: str) -> dict[int, list[dict]]:
    evidence: dict[int, list[dict]] = {}
    # One bounded query per card (at most k), each using the (influencer, style, likes) index.
    for pk in influencer_ids:
        posts = (
            Post.objects.filter(influencer_id=pk, predicted_style=style)
            .exclude(image="")
            .only(*EVIDENCE_FIELDS)
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
            .only(*EVIDENCE_FIELDS, "embedding")[:EVIDENCE_CANDIDATES]
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


def _card(
    influencer: Influencer,
    query: RankingQuery,
    *,
    styles: list[str],
    score,
    similarity,
    evidence,
    size_relaxed: bool = False,
    nearest_style: str = "",
) -> dict:
    """The influencer's summary as every page and the API show it, plus why it was chosen."""
    representative = influencer.brand_style if query.by_likes else influencer.consumer_style
    # The likeliest style first; a style the influencer never posts says nothing about why the
    # card is there (the "no posts in <style>" badge covers the predicted one).
    weights = query_style_weights(query.probabilities)
    ordered = sorted(styles, key=lambda style: -weights[STYLE_CODES.index(style)])
    every_line = style_evidence_lines(influencer.style_stats or {}, ordered)
    lines = [line for line in every_line if line["posts"]] or every_line[:1]
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
        "evidence": evidence,
    }


def ranking_notices(block: dict, *, language: str | None = None) -> list[dict]:
    """What a stored result says about its cards in plain words: [{"code", "text"}], in the given
    language (default: the active one). Nothing that is not a match is left unsaid.

    "Fewer than k" uses the k the result was ranked with (results stored before they carried k:
    the setting's).
    """
    k = block.get("k") or settings.RECOMMENDATION_TOP_K
    with translation.override(language or translation.get_language()):
        notes, no_match = block.get("notes", []), block.get("no_match")
        nearest = block.get("nearest_styles", [])
        out = []
        if no_match:
            out.append(
                (
                    Note.NO_STYLE_MATCH,
                    _(
                        "No influencer in your filters posts %(style)s, the style of your photo: "
                        "none of these cards is a %(style)s match."
                    )
                    % {"style": style_label(no_match["style"])},
                )
            )
        elif Note.FEWER_MATCHES in notes:
            out.append(
                (
                    Note.FEWER_MATCHES,
                    _("Fewer than %(k)d influencers in your filters post your photo's styles.")
                    % {"k": k},
                )
            )
        if Note.SIZE_RELAXED in notes:
            out.append(
                (
                    Note.SIZE_RELAXED,
                    _(
                        "The body-size filter was relaxed: cards marked “other body size” post "
                        "your photo's styles in another body size."
                    ),
                )
            )
        if nearest:
            out.append(
                (
                    Note.NEAREST_STYLE,
                    _(
                        "Cards marked “nearest style” post %(styles)s, the model's next guesses "
                        "for your photo, not its style."
                    )
                    % {"styles": ", ".join(style_label(code) for code in nearest)},
                )
            )
        return [{"code": code, "text": text} for code, text in out]
