"""The default ranking: style evidence first, engagement ordering only comparable evidence."""

import json
import math
import warnings
from dataclasses import dataclass

import numpy as np
from django.db import connections
from django.db.models import F, Func, Q

from mlcore.ranking import (
    engagement_scores,
    evidence_scores,
    nearest_style_order,
    query_style_weights,
    style_evidence_rows,
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


class _Candidates:
    """Influencers in the filters as arrays, a row each (struct of arrays)."""

    def __init__(self, ids, shares, posts, all_posts, average_likes, like_rates, likes_known):
        self.ids = ids  # primary keys
        self.shares = shares  # (n, 23): share of posts (consumers) or of likes (brands)
        self.posts = posts  # (n, 23): number of posts (whether it posts a style at all)
        self.all_posts = all_posts  # classified posts, 기타 and posts without an image included
        self.average_likes = average_likes
        self.like_rates = like_rates  # NaN where unknown
        self.likes_known = likes_known  # any like visible (else the average is imputed)

    @classmethod
    def empty(cls) -> "_Candidates":
        nothing = np.zeros(0)
        styles = np.zeros((0, len(STYLE_CODES)))
        return cls(
            np.zeros(0, dtype=np.int64),
            styles,
            styles,
            nothing,
            nothing,
            nothing,
            np.zeros(0, dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> "_Candidates":
        return _Candidates(
            self.ids[rows],
            self.shares[rows],
            self.posts[rows],
            self.all_posts[rows],
            self.average_likes[rows],
            self.like_rates[rows],
            self.likes_known[rows],
        )


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
    top_index = STYLE_CODES.index(query.top_style)
    query_styles = query.query_styles
    matching = _candidates(query, same_size=True, posting=query_styles)

    picks: list[tuple[_Pick, dict]] = []  # (pick, how it was chosen)
    for pick in _ranked(matching, weights, by_likes=query.by_likes, places=query.k):
        picks.append((pick, {}))
    if len(picks) < query.k:
        result.notes.append(Note.FEWER_MATCHES)
        other_size = _candidates(query, same_size=False, posting=query_styles)
        relaxed = _ranked(other_size, weights, by_likes=query.by_likes, places=query.k - len(picks))
        if relaxed:
            result.notes.append(Note.SIZE_RELAXED)
        picks += [(pick, {"size_relaxed": True}) for pick in relaxed]
    if len(picks) < query.k:
        # Only the posters of the next guesses are read, a few styles at a time, so the cost
        # follows them and not the whole catalogue in the filters.
        chosen = {pick.pk for pick, _ in picks}
        order = nearest_style_order(query.probabilities, weights)
        for start in range(0, len(order), NEAREST_STYLES_PER_READ):
            if len(picks) >= query.k:
                break
            styles = order[start : start + NEAREST_STYLES_PER_READ]
            posting = [STYLE_CODES[i] for i in styles]
            read = _candidates(query, same_size=True, posting=posting)
            rest = read.take(~np.isin(read.ids, list(chosen)))
            for pick, style in _nearest_style_fill(
                rest, styles, places=query.k - len(picks), by_likes=query.by_likes
            ):
                if style not in result.nearest_styles:
                    result.nearest_styles.append(style)
                picks.append((pick, {"nearest_style": style}))
                chosen.add(pick.pk)
        if result.nearest_styles:
            result.notes.append(Note.NEAREST_STYLE)
    if not (matching.posts[:, top_index] > 0).any():
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


# How each backend reads the numbers of a profile's style_stats (column `s` of the candidates'
# rows): one style's number, and one number of every key as a JSON list (the totals count every
# key: 기타, posts without an image and any other). The numbers come back as stored (the JSON text),
# so their exact sums are those of mlcore.ranking.style_evidence.
_STATS_SQL = {
    "postgresql": {
        # A copy of the (compressed) profile, unpacked once for all the reads below.
        "stats": "({} || '{{}}'::jsonb)",
        "number": '(t."_s" #>> %s)::float8',
        "number_param": lambda code, key: f"{{{code},{key}}}",
        "every": "jsonb_path_query_array(t.\"_s\", '$.*.{key}')::text",
        "subquery_end": " OFFSET 0",
    },
    "sqlite": {
        "stats": "{}",
        "number": 'json_extract(t."_s", %s)',
        "number_param": lambda code, key: f'$."{code}".{key}',
        "every": "(SELECT json_group_array(e.value -> '$.{key}') FROM json_each(t.\"_s\") AS e)",
        "subquery_end": "",
    },
}


def _missing_zero(column) -> np.ndarray:
    """A column of numbers, a missing one (None) read as 0."""
    values = np.array(column, dtype=np.float64)
    values[np.isnan(values)] = 0.0
    return values


# Integers up to this magnitude add up exactly in any order: their float sum is math.fsum's.
_EXACT_INTEGERS = 2.0**53


def _exact_sums(column) -> np.ndarray:
    """The exact sum (math.fsum) of each row's JSON list of numbers (null, a missing one: 0).

    Rows of integers (post counts; likes, mostly) are summed at once; any other row, or all of
    them if the lists do not read as plain numbers, goes through json and math.fsum.
    """
    texts = [text or "[]" for text in column]
    sums = np.zeros(len(texts))
    slow = np.ones(len(texts), dtype=bool)
    inner = [text[1:-1].strip() for text in texts]
    counts = np.array([part.count(",") + 1 if part else 0 for part in inner])
    body = ",".join(part for part in inner if part).replace("null", "0")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            values = np.fromstring(body, sep=",") if body else np.zeros(0)
    except (ValueError, DeprecationWarning):
        values = None
    if values is not None and len(values) == counts.sum():
        filled = counts > 0
        starts = (np.cumsum(counts) - counts)[filled]
        slow[~filled] = False  # an empty list sums to 0
        if len(starts):
            whole = np.add.reduceat((values != np.floor(values)).astype(np.int64), starts) == 0
            small = np.add.reduceat(np.abs(values), starts) <= _EXACT_INTEGERS
            exact = whole & small
            rows = np.flatnonzero(filled)
            sums[rows[exact]] = np.add.reduceat(values, starts)[exact]
            slow[rows[exact]] = False
    for row in np.flatnonzero(slow):
        sums[row] = math.fsum(filter(None, json.loads(texts[row])))
    return sums


def _candidates(query: RankingQuery, *, same_size: bool, posting: list[str]) -> _Candidates:
    """Active influencers of the query's gender, of its body size or of the others, who post one
    of the styles `posting` lists (the only ones that can be matches), with those styles' shares
    and posts, their average likes and whether any of their likes is visible: one query of the
    stored profiles (no post is read) that reads only the numbers of those styles and the
    profile's totals, never the whole statistics, so the work follows the matching influencers.

    The shares are mlcore.ranking.style_evidence's for the styles in `posting`; every other
    style's share and posts are left at 0 (nothing reads them).
    """
    if not same_size and not query.body_size:
        return _Candidates.empty()  # any body size: there is no other one to relax to
    qs = influencers_in_filters(query, relax_size=not same_size)
    if not same_size:
        qs = qs.exclude(body_size=query.body_size)
    has_style = Q()
    for style in posting:
        has_style |= Q(style_stats__has_key=style)
    connection = connections[qs.db]
    dialect = _STATS_SQL[connection.vendor]
    by_likes = query.by_likes
    inner = (
        qs.filter(has_style)
        .order_by()
        .annotate(_s=Func(F("style_stats"), template=dialect["stats"].format("%(expressions)s")))
        .values("pk", "average_likes", "engagement_rate", "likes_known", "_s")
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    keys = ("posts", "likes") if by_likes else ("posts",)
    selects, params = [], []
    for code in posting:
        for key in keys:
            selects.append(dialect["number"])
            params.append(dialect["number_param"](code, key))
    selects += [dialect["every"].format(key=key) for key in keys]
    sql = (
        'SELECT t."pk", t."average_likes", t."engagement_rate", t."likes_known", '
        + ", ".join(selects)
        + f" FROM ({inner_sql}{dialect['subquery_end']}) AS t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *inner_params))
        rows = cursor.fetchall()
    if not rows:
        return _Candidates.empty()
    columns = list(zip(*rows, strict=True))
    styles = {key: np.zeros((len(rows), len(STYLE_CODES))) for key in keys}
    at = 4
    for code in posting:
        for key in keys:
            styles[key][:, STYLE_CODES.index(code)] = _missing_zero(columns[at])
            at += 1
    totals = {key: _exact_sums(columns[at + i]) for i, key in enumerate(keys)}
    posts = styles["posts"]
    all_likes = totals["likes"] if by_likes else np.zeros(len(rows))
    likes = styles["likes"] if by_likes else np.zeros(posts.shape)
    return _Candidates(
        ids=np.array(columns[0], dtype=np.int64),
        shares=style_evidence_rows(posts, likes, totals["posts"], all_likes, by_likes=by_likes),
        posts=posts,
        all_posts=totals["posts"],
        average_likes=np.array(columns[1], dtype=np.float64),
        like_rates=np.array(columns[2], dtype=np.float64),
        likes_known=np.array(columns[3], dtype=bool),
    )


def _nearest_style_fill(
    rest: _Candidates, order: list[int], *, places: int, by_likes: bool
) -> list[tuple[_Pick, str]]:
    """Up to `places` (pick, style) from `rest` (influencers in the filters, not yet cards,
    who post one of the styles `order` lists), one style after another in that order.

    Engagement is computed once, relative to the best of `rest`, and every style's scores come
    from one matrix product. Brands: within a style, those with enough posts in it come first.
    """
    if not len(rest) or not order:
        return []
    one_style_each = np.eye(len(STYLE_CODES))[:, order]  # a column per next guess
    scores, _ = evidence_scores(one_style_each, rest.shares, _engagement(rest))
    posts = rest.posts[:, order]
    ids = rest.ids
    taken = np.zeros(len(rest), dtype=bool)
    out: list[tuple[_Pick, str]] = []
    for column, index in enumerate(order):
        posting = (posts[:, column] > 0) & ~taken
        if not posting.any():
            continue
        rows = np.flatnonzero(posting)
        best_first = rows[top_k(scores[rows, column], ids[rows], None)]
        enough = np.ones(len(best_first), dtype=bool)
        if by_likes:
            enough = enough_style_posts(posts[best_first, column], rest.all_posts[best_first])
            keep = np.argsort(~enough, kind="stable")  # score order kept in each part
            best_first, enough = best_first[keep], enough[keep]
        for row, row_enough in zip(
            best_first[: places - len(out)], enough[: places - len(out)], strict=True
        ):
            taken[row] = True
            pick = _Pick(int(ids[row]), float(scores[row, column]), bool(row_enough))
            out.append((pick, STYLE_CODES[index]))
        if len(out) >= places:
            break
    return out


def _engagement(candidates: _Candidates) -> np.ndarray:
    """Each candidate's engagement, relative to the best of `candidates`."""
    return engagement_scores(
        candidates.average_likes, candidates.like_rates, candidates.likes_known
    )


def _ranked(
    candidates: _Candidates, weights: np.ndarray, *, by_likes: bool, places: int
) -> list[_Pick]:
    """The first `places` of the candidates that post one of the styles `weights` asks for, best
    first; for brands, those with enough posts in those styles before all the others (each part
    best first). Engagement is relative to the best of all `candidates`."""
    if not len(candidates):
        return []
    scores, _ = evidence_scores(weights, candidates.shares, _engagement(candidates))
    ranked = np.array(top_k(scores, candidates.ids, None), dtype=np.intp)
    asked = weights > 0
    posts = candidates.posts[ranked][:, asked]
    ranked = ranked[posts.any(axis=1)]
    enough = np.ones(len(ranked), dtype=bool)
    if by_likes:
        enough = enough_style_posts(
            candidates.posts[ranked][:, asked].sum(axis=1), candidates.all_posts[ranked]
        )
        keep = np.argsort(~enough, kind="stable")  # score order kept in each part
        ranked, enough = ranked[keep], enough[keep]
    return [
        _Pick(int(candidates.ids[row]), float(scores[row]), bool(row_enough))
        for row, row_enough in zip(ranked[:places], enough[:places], strict=True)
    ]
