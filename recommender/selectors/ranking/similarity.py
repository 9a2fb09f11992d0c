"""The default ranking: style evidence first, engagement ordering only comparable evidence.

Only the candidates that can reach the places are read (a threshold algorithm): each query style's
InfluencerStyleShare rows in descending stored evidence, a growing batch at a time, until the
places are taken by scores no unread candidate can reach or tie. The result is the one that
scoring every candidate in the filters would give (tests/recommender/test_ranking_vectorised.py).
"""

from dataclasses import dataclass
from functools import partial

import numpy as np
from django.db.models import FilteredRelation, Q

from influencers.models import InfluencerStyleShare
from mlcore.ranking import (
    SCORE_DECIMALS,
    engagement_scores,
    evidence_scores,
    nearest_style_order,
    query_style_weights,
    score_bound,
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

# A style's first read walks this many of its rows in the filters, each further read
# WALK_BATCH_GROWTH times as many, up to
# WALK_BATCH_MAX: a query of one style mostly stops after its first read, and one of three
# styles, which reads deeper (docs/benchmarks.md), in a few round trips, not a dozen.
WALK_BATCH_FIRST = 1024
WALK_BATCH_GROWTH = 4
WALK_BATCH_MAX = 16384
# The alias of each asked style's share row beside its influencer (+ the style's column).
_SHARE = "_share_"


@dataclass(eq=False)
class _Pick:
    pk: int
    score: float
    enough_evidence: bool  # brands: enough posts in the styles (enough_style_posts)


def enough_style_posts(posts, all_posts):
    """Brands: whether an influencer's posts in the styles asked for are enough evidence to rank
    them by the likes those posts got (BRAND_MIN_STYLE_POSTS and BRAND_MIN_STYLE_SHARE); numbers
    or arrays of them (one per influencer)."""
    return np.logical_and(
        np.greater_equal(posts, BRAND_MIN_STYLE_POSTS),
        np.greater_equal(posts, np.multiply(BRAND_MIN_STYLE_SHARE, all_posts)),
    )


def ranking_similarity(query: RankingQuery) -> RankingResult:
    """Style evidence first: influencers whose posts show the query's styles, best evidence first,
    engagement ordering only those of comparable evidence (mlcore.ranking)."""
    result = RankingResult(Ranking.SIMILARITY, k=query.k)
    weights = query_style_weights(query.probabilities)
    query_styles = query.query_styles

    picks: list[tuple[_Pick, dict]] = []  # (pick, how it was chosen)
    for pick in _ranked(query, weights, same_size=True, places=query.k):
        picks.append((pick, {}))
    if len(picks) < query.k:
        result.notes.append(Note.FEWER_MATCHES)
        relaxed = _ranked(query, weights, same_size=False, places=query.k - len(picks))
        if relaxed:
            result.notes.append(Note.SIZE_RELAXED)
        picks += [(pick, {"size_relaxed": True}) for pick in relaxed]
    if len(picks) < query.k:
        # The model's next guesses one style after another, each read as the query's styles are.
        chosen = {pick.pk for pick, _ in picks}
        for index in nearest_style_order(query.probabilities, weights):
            if len(picks) >= query.k:
                break
            one_style = np.zeros(len(STYLE_CODES))
            one_style[index] = 1.0
            style = STYLE_CODES[index]
            for pick in _ranked(
                query, one_style, same_size=True, places=query.k - len(picks), excluding=chosen
            ):
                if style not in result.nearest_styles:
                    result.nearest_styles.append(style)
                picks.append((pick, {"nearest_style": style}))
                chosen.add(pick.pk)
        if result.nearest_styles:
            result.notes.append(Note.NEAREST_STYLE)
    if not influencers_in_filters(query).filter(style_shares__style=query.top_style).exists():
        result.notes.append(Note.NO_STYLE_MATCH)
        result.no_match = no_match_block(
            style=query.top_style,
            relaxed_filter="body_size" if Note.SIZE_RELAXED in result.notes else "",
            nearest_styles=result.nearest_styles,
        )

    influencers = card_influencers([pick.pk for pick, _ in picks])
    posts = closest_posts([pick.pk for pick, _ in picks], query.embedding)
    for pick, how in picks:
        styles = [how["nearest_style"]] if how.get("nearest_style") else query_styles
        result.cards.append(
            card_build(
                influencers[pick.pk],
                query,
                styles=styles,
                score=pick.score,
                similarity=None,
                evidence=posts.get(pick.pk, []),
                size_relaxed=how.get("size_relaxed", False),
                nearest_style=how.get("nearest_style", ""),
                enough_evidence=pick.enough_evidence,
            )
        )
    return result


@dataclass
class _Walk:
    """One style's share rows, read in descending evidence (ties: the smaller influencer first)."""

    style: int  # its column among the 23
    batch: int  # rows the next read walks (of influencers in the filters)
    last: tuple[float, int] | None = None  # (evidence, influencer) of the last row walked
    exhausted: bool = False

    @property
    def share_bound(self) -> float:
        """The most evidence for this style an unread influencer can have."""
        return 0.0 if self.exhausted else self.last[0]


class _Seen:
    """The candidates read so far: _read's rows, each influencer once, as arrays a batch each."""

    def __init__(self, asked: list[int]):
        self.asked = asked
        self.known: set[int] = set()
        self.batches: list[np.ndarray] = []

    def add(self, rows: list[tuple]) -> None:
        new = [row for row in rows if row[0] not in self.known]
        self.known.update(row[0] for row in new)
        if new:
            self.batches.append(np.array(new, dtype=np.float64))  # None (no row): NaN

    def columns(self) -> dict[str, np.ndarray]:
        """ids, all_posts, average_likes, like_rates (NaN: unknown), likes_known, and shares and
        posts as (n, 23) with 0 where a style is not asked or not posted."""
        table = np.concatenate(self.batches)
        n, asked = len(table), len(self.asked)
        shares, posts = np.zeros((n, len(STYLE_CODES))), np.zeros((n, len(STYLE_CODES)))
        shares[:, self.asked] = np.nan_to_num(table[:, _FIRST_STYLE_COLUMN::2][:, :asked])
        posts[:, self.asked] = np.nan_to_num(table[:, _FIRST_STYLE_COLUMN + 1 :: 2][:, :asked])
        return {
            "ids": table[:, 0].astype(np.int64),
            "all_posts": table[:, 1],
            "average_likes": table[:, 2],
            "like_rates": table[:, 3],
            "likes_known": table[:, 4].astype(bool),
            "shares": shares,
            "posts": posts,
        }


# _read's rows: pk, classified posts, average likes, likes per follower, likes known, then each
# asked style's evidence and posts.
_FIRST_STYLE_COLUMN = 5


def _ranked(
    query: RankingQuery,
    weights: np.ndarray,
    *,
    same_size: bool,
    places: int,
    excluding=frozenset(),
) -> list[_Pick]:
    """The first `places` influencers in the filters (the query's body size, or every other one)
    who post one of the styles `weights` asks for, best score first; for brands, those with enough
    posts in those styles before all the others (each part best first).

    Reads each asked style's share rows in descending evidence and stops once `places` candidates
    (with enough evidence, for brands) score strictly above what any unread one can reach
    (mlcore.ranking.score_bound: the shares just read, at the most engagement), after rounding to
    SCORE_DECIMALS: then no unread candidate can take or tie a place.
    """
    if not same_size and not query.body_size:
        return []  # any body size: there is no other one to relax to
    candidates = influencers_in_filters(query, relax_size=not same_size)
    if not same_size:
        candidates = candidates.exclude(body_size=query.body_size)
    if excluding:
        candidates = candidates.exclude(pk__in=excluding)
    walked_rows = partial(_walked_rows, query, same_size=same_size)
    asked = [int(i) for i in np.flatnonzero(weights)]
    evidence = "brand_evidence" if query.by_likes else "consumer_evidence"
    # Each asked style's share row beside the influencer (absent: it does not post the style).
    candidates = candidates.alias(
        **{
            f"{_SHARE}{i}": FilteredRelation(
                "style_shares", condition=Q(style_shares__style=STYLE_CODES[i])
            )
            for i in asked
        }
    )
    walks = [_Walk(style, batch=WALK_BATCH_FIRST) for style in asked]
    seen = _Seen(asked)
    while True:
        unread = [walk for walk in walks if walk.last is None and not walk.exhausted]
        walk = unread[0] if unread else _deepest(walks, weights)
        _read(candidates, walked_rows, excluding, walk, asked, evidence, seen)
        if unread[1:]:
            continue  # every style read once before any bound holds
        picks = _best(seen, weights, by_likes=query.by_likes)
        if all(w.exhausted for w in walks):
            return picks[:places]
        bound = score_bound(weights, _share_bounds(walks))
        placed = [pick for pick in picks if pick.enough_evidence][:places]
        if len(placed) == places and np.round(placed[-1].score, SCORE_DECIMALS) > np.round(
            bound, SCORE_DECIMALS
        ):
            return picks[:places]


def _deepest(walks: list[_Walk], weights: np.ndarray) -> _Walk:
    """The style whose unread rows weigh most in the bound (read it next: it lowers it most)."""
    open_walks = [walk for walk in walks if not walk.exhausted]
    return max(open_walks, key=lambda walk: weights[walk.style] * walk.share_bound)


def _share_bounds(walks: list[_Walk]) -> np.ndarray:
    bounds = np.zeros(len(STYLE_CODES))
    for walk in walks:
        bounds[walk.style] = walk.share_bound
    return bounds


def _walked_rows(query: RankingQuery, *, same_size: bool, prefix: str = "") -> Q:
    """The share rows of the influencers in the ranking's filters (influencers_in_filters), from
    the copies each row keeps of its influencer's (migration 0022's triggers): the walk reads
    only them, from the index led by style, gender and body size when the query has both.
    `prefix`: the path to the rows from the query they are filtered in."""
    rows = Q(**{f"{prefix}rankable": True})
    if query.gender:
        rows &= Q(**{f"{prefix}gender": query.gender})
    if query.body_size:
        size = Q(**{f"{prefix}body_size": query.body_size})
        rows &= size if same_size else ~size
    return rows


def _read(
    candidates,
    walked_rows,
    excluding,
    walk: _Walk,
    asked: list[int],
    evidence: str,
    seen: _Seen,
) -> None:
    """The next `walk.batch` rows of the walk's style in the filters (`walked_rows`, in the walk's
    order), and the numbers of their influencers (every asked style's evidence and posts,
    engagement, classified posts), added to `seen`.

    Two queries: the batch's last row, from an index alone (on PostgreSQL, led by style, gender and
    body size for a query with both: migration 0022); then the candidates whose row lies between
    the previous batch's last and it. Each is planned on a range of known size, never as a sort of
    the style's every row.
    """
    rows = InfluencerStyleShare.objects.filter(walked_rows(), style=STYLE_CODES[walk.style])
    if excluding:
        rows = rows.exclude(influencer_id__in=excluding)
    if walk.last is not None:
        rows = rows.filter(_after(walk.last, evidence, "influencer_id"))
    batch_last = list(
        rows.order_by(f"-{evidence}", "influencer_id").values_list(evidence, "influencer_id")[
            walk.batch - 1 : walk.batch
        ]
    )
    walked = f"{_SHARE}{walk.style}__{evidence}"
    in_batch = Q(**{f"{walked}__isnull": False}) & walked_rows(prefix=f"{_SHARE}{walk.style}__")
    if walk.last is not None:
        in_batch &= _after(walk.last, walked, "pk")
    if batch_last:
        value, pk = batch_last[0]
        # Up to and including the batch's last row: the complement of _after.
        in_batch &= Q(**{f"{walked}__gte": value}) & (Q(**{f"{walked}__gt": value}) | Q(pk__lte=pk))
    walk.exhausted = not batch_last
    walk.last = batch_last[0] if batch_last else walk.last
    walk.batch = min(WALK_BATCH_GROWTH * walk.batch, WALK_BATCH_MAX)
    columns = [f"{_SHARE}{i}__{key}" for i in asked for key in (evidence, "posts")]
    seen.add(
        list(
            candidates.filter(in_batch)
            .order_by()  # any order: _best sorts
            .values_list(
                "pk",
                "classified_post_count",
                "average_likes",
                "engagement_rate",
                "likes_known",
                *columns,
            )
        )
    )


def _after(last: tuple[float, int], evidence: str, influencer: str) -> Q:
    """Rows after `last` in the walk's order (evidence desc, influencer asc). No negation and no
    OR on the evidence alone, so an index range starts at last's evidence."""
    value, pk = last
    return Q(**{f"{evidence}__lte": value}) & (
        Q(**{f"{evidence}__lt": value}) | Q(**{f"{influencer}__gt": pk})
    )


def _best(seen: _Seen, weights: np.ndarray, *, by_likes: bool) -> list[_Pick]:
    """Every candidate read, best first (equal scores to SCORE_DECIMALS: the smaller id); for
    brands, those with enough posts in the styles asked for before the others."""
    if not seen.batches:
        return []
    read = seen.columns()
    ids = read["ids"]
    engagement = engagement_scores(read["average_likes"], read["like_rates"], read["likes_known"])
    scores, _ = evidence_scores(weights, read["shares"], engagement)
    ranked = np.array(top_k(scores, ids, None), dtype=np.intp)
    enough = np.ones(len(ranked), dtype=bool)
    if by_likes:
        posts = read["posts"][ranked][:, weights > 0].sum(axis=1)
        enough = enough_style_posts(posts, read["all_posts"][ranked])
        keep = np.argsort(~enough, kind="stable")  # score order kept in each part
        ranked, enough = ranked[keep], enough[keep]
    return [
        _Pick(int(ids[row]), float(scores[row]), bool(row_enough))
        for row, row_enough in zip(ranked, enough, strict=True)
    ]
