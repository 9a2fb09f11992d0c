"""The default ranking: style evidence first, engagement ordering only comparable evidence."""

from dataclasses import dataclass

import numpy as np
from django.db.models import Q

from mlcore.ranking import (
    engagement_scores,
    evidence_scores,
    nearest_style_order,
    query_style_weights,
    style_evidence,
    top_k,
)
from mlcore.styles import STYLE_CODES
from recommender.constants import BRAND_MIN_STYLE_POSTS, BRAND_MIN_STYLE_SHARE
from recommender.selectors.ranking.cards import card_build, card_influencers, closest_posts
from recommender.selectors.ranking.notices import Note, no_match_block
from recommender.selectors.ranking.query import (
    Ranking,
    RankingQuery,
    RankingResult,
    influencers_in_filters,
)

# The nearest-style fill reads the posters of the model's next guesses this many styles at a time.
NEAREST_STYLES_PER_READ = 3


@dataclass(eq=False)
class _Candidate:
    pk: int
    in_size: bool
    shares: np.ndarray  # per style: share of posts (consumers) or of likes (brands)
    posts: np.ndarray  # per style: number of posts (whether it posts a style at all)
    all_posts: int  # classified posts, 기타 and posts without an image included
    average_likes: float
    like_rate: float | None
    likes_known: bool  # any like visible (else the average is imputed from the others)
    score: float = 0.0
    evidence: float = 0.0
    enough_evidence: bool = True  # brands: enough posts in the styles (enough_style_posts)


def enough_style_posts(posts: int, all_posts: int) -> bool:
    """Brands: whether an influencer's posts in the styles asked for are enough evidence to rank
    them by the likes those posts got (BRAND_MIN_STYLE_POSTS and BRAND_MIN_STYLE_SHARE)."""
    return posts >= BRAND_MIN_STYLE_POSTS and posts >= BRAND_MIN_STYLE_SHARE * all_posts


def ranking_similarity(query: RankingQuery) -> RankingResult:
    """Style evidence first: influencers whose posts show the query's styles, best evidence first,
    engagement ordering only those of comparable evidence (mlcore.ranking)."""
    result = RankingResult(Ranking.SIMILARITY, k=query.k)
    weights = query_style_weights(query.probabilities)
    top_index = STYLE_CODES.index(query.top_style)
    query_styles = query.query_styles
    matching = _candidates(query, same_size=True, posting=query_styles)

    picks: list[tuple[_Candidate, dict]] = []  # (candidate, how it was chosen)
    for c in _ranked(matching, weights, by_likes=query.by_likes)[: query.k]:
        picks.append((c, {}))
    if len(picks) < query.k:
        result.notes.append(Note.FEWER_MATCHES)
        other_size = _candidates(query, same_size=False, posting=query_styles)
        relaxed = _ranked(other_size, weights, by_likes=query.by_likes)[: query.k - len(picks)]
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
            for c, style in _nearest_style_fill(
                rest, styles, places=query.k - len(picks), by_likes=query.by_likes
            ):
                if style not in result.nearest_styles:
                    result.nearest_styles.append(style)
                picks.append((c, {"nearest_style": style}))
                chosen.add(c.pk)
        if result.nearest_styles:
            result.notes.append(Note.NEAREST_STYLE)
    if not any(c.posts[top_index] > 0 for c in matching):
        result.notes.append(Note.NO_STYLE_MATCH)
        result.no_match = no_match_block(
            style=query.top_style,
            relaxed_filter="body_size" if Note.SIZE_RELAXED in result.notes else "",
            nearest_styles=result.nearest_styles,
        )

    influencers = card_influencers([c.pk for c, _ in picks])
    posts = closest_posts([c.pk for c, _ in picks], query.embedding)
    for candidate, how in picks:
        styles = [how["nearest_style"]] if how.get("nearest_style") else query_styles
        result.cards.append(
            card_build(
                influencers[candidate.pk],
                query,
                styles=styles,
                score=candidate.score,
                similarity=None,
                evidence=posts.get(candidate.pk, []),
                size_relaxed=how.get("size_relaxed", False),
                nearest_style=how.get("nearest_style", ""),
                enough_evidence=candidate.enough_evidence,
            )
        )
    return result


def _candidates(
    query: RankingQuery, *, same_size: bool, posting: list[str] | None = None
) -> list[_Candidate]:
    """Active influencers of the query's gender, of its body size or of the others, with their
    style shares, average likes and whether any of their likes is visible, in one query of the
    stored profiles (no post is read).

    posting: only those with posts in one of these styles (the only ones that can be matches),
    so the work follows the matching influencers, not the whole catalogue.
    """
    if not same_size and not query.body_size:
        return []  # any body size: there is no other one to relax to
    qs = influencers_in_filters(query, relax_size=not same_size)
    if not same_size:
        qs = qs.exclude(body_size=query.body_size)
    if posting is not None:
        has_style = Q()
        for style in posting:
            has_style |= Q(style_stats__has_key=style)
        qs = qs.filter(has_style)
    rows = qs.values_list("pk", "style_stats", "average_likes", "engagement_rate", "likes_known")
    out = []
    for pk, stats, average, rate, known in rows:
        shares, posts = style_evidence(stats or {}, by_likes=query.by_likes)
        out.append(
            _Candidate(
                pk=pk,
                in_size=same_size,
                shares=shares,
                posts=posts,
                all_posts=sum(v.get("posts", 0) for v in (stats or {}).values()),
                average_likes=average,
                like_rate=rate,
                likes_known=known,
            )
        )
    return out


def _nearest_style_fill(
    rest: list[_Candidate], order: list[int], *, places: int, by_likes: bool
) -> list[tuple[_Candidate, str]]:
    """Up to `places` (candidate, style) from `rest` (influencers in the filters, not yet cards,
    who post one of the styles `order` lists), one style after another in that order.

    Engagement is computed once, relative to the best of `rest`, and every style's scores come
    from one matrix product. Brands: within a style, those with enough posts in it come first.
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
        best_first = list(rows[top_k(scores[rows, column], ids[rows], None)])
        if by_likes:
            enough = {
                row: enough_style_posts(int(posts[row, column]), rest[row].all_posts)
                for row in best_first
            }
            best_first.sort(key=lambda row: not enough[row])  # stable: score order kept
        for row in best_first[: places - len(out)]:
            c = rest[row]
            c.score, c.evidence = float(scores[row, column]), float(evidence[row, column])
            c.enough_evidence = enough[row] if by_likes else True
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


def _ranked(
    candidates: list[_Candidate], weights: np.ndarray, *, by_likes: bool
) -> list[_Candidate]:
    """The candidates that post one of the styles `weights` asks for, best first; for brands,
    those with enough posts in those styles before all the others (each part best first)."""
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
    ranked = [c for c in ranked if c.posts[asked].any()]
    if by_likes:
        for c in ranked:
            c.enough_evidence = enough_style_posts(int(c.posts[asked].sum()), c.all_posts)
        ranked.sort(key=lambda c: not c.enough_evidence)  # stable: score order kept in each part
    return ranked
