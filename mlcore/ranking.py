"""Scoring for the similarity ranking: style evidence first, engagement within comparable evidence.

The rules (docs/ranking.md states them with the reasons):
- The query asks for its top style and up to two more styles the model gives at least
  QUERY_STYLE_MIN_PROBABILITY (기타 never: it is no style). Their weights are the model's
  probabilities renormalised over the chosen styles.
- An influencer's style evidence is the weighted share of their classified posts (consumers) or
  of the likes of those posts (brands) that show the query's styles: 0 when no post does, above 0
  whenever one does (a brand's style posted without likes has a floor: style_evidence).
- score = evidence x (1 + ENGAGEMENT_WEIGHT x engagement), engagement in [0, 1] and each
  influencer's own (engagement_scores). An influencer without evidence scores 0 whatever their
  likes, below every one with evidence; engagement can only reorder influencers whose evidence is
  within a factor (1 + ENGAGEMENT_WEIGHT), so a score is at most SCORE_LIFT_MAX x its evidence.
"""

import math

import numpy as np

from mlcore.styles import STYLE_CODES, without_other

# A style the model gives at least this probability (over the 23 styles) is one the query asks for.
QUERY_STYLE_MIN_PROBABILITY = 0.1
# The query asks for at most this many styles (its top style always).
QUERY_STYLES_MAX = 3
# Engagement lifts a score by at most this fraction: it orders influencers of comparable evidence.
ENGAGEMENT_WEIGHT = 0.25
# Engagement mixes log-scaled average likes and likes per follower in these shares.
LIKES_WEIGHT = 0.5
# Average likes per post that read as full engagement on the log scale (log1p(x) / log1p(scale)):
# the most-liked accounts; 1,000 likes a post reads 0.5, 30 reads 0.25.
ENGAGEMENT_LIKES_SCALE = 1_000_000
# Likes per post over followers that read as full engagement (linear, capped at 1): 20 % is
# far above what fashion accounts get (1-5 %), so the rate orders nearly every account.
ENGAGEMENT_RATE_SCALE = 0.2
# An account hiding every like: the middle of the scale, neither lifted nor sunk, never zero.
ENGAGEMENT_UNKNOWN = 0.5
# The most a score can exceed its evidence: with engagement at 1 (a bound a ranking stops at).
SCORE_LIFT_MAX = 1 + ENGAGEMENT_WEIGHT
# Scores equal to this many decimals are ties (broken by the earlier influencer).
SCORE_DECIMALS = 9
# The visual ranking scores an influencer by the mean of their this many best post similarities.
VISUAL_TOP_POSTS = 5
_STYLE_POSITION = {code: i for i, code in enumerate(STYLE_CODES)}
# Look-alikes mix style-profile cosine and post-embedding-centroid cosine in these shares.
LOOKALIKE_STYLE_WEIGHT = 0.5


def style_vector(probabilities: np.ndarray) -> np.ndarray:
    """A probability vector with 기타 removed, L2-normalised for cosine similarity."""
    vector = without_other(probabilities)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def query_style_weights(probabilities: np.ndarray) -> np.ndarray:
    """Weights over the 23 styles (기타 left out): non-zero on the styles the query asks for.

    The top style always (ties: taxonomy order), then up to QUERY_STYLES_MAX - 1 more styles whose
    probability, renormalised over the 23 styles, is at least QUERY_STYLE_MIN_PROBABILITY.
    """
    p = np.asarray(probabilities, dtype=np.float64)[: len(STYLE_CODES)]
    total = math.fsum(p)
    p = p / total if total > 0 else np.zeros(len(STYLE_CODES))
    order = np.lexsort((np.arange(len(p)), -p))
    chosen = [int(order[0])] + [
        int(i) for i in order[1:QUERY_STYLES_MAX] if p[i] >= QUERY_STYLE_MIN_PROBABILITY
    ]
    weights = np.zeros(len(STYLE_CODES))
    if p[chosen].sum() > 0:
        weights[chosen] = p[chosen] / p[chosen].sum()
    else:  # nothing but 기타: the top style by taxonomy order alone
        weights[chosen[0]] = 1.0
    return weights


def nearest_style_order(probabilities: np.ndarray, weights: np.ndarray) -> list[int]:
    """Styles the query does not ask for, the model's next guesses first (ties: taxonomy order)."""
    p = np.asarray(probabilities, dtype=np.float64)[: len(STYLE_CODES)]
    order = np.lexsort((np.arange(len(p)), -p))
    return [int(i) for i in order if weights[i] == 0]


def style_evidence(stats: dict, *, by_likes: bool) -> tuple[np.ndarray, np.ndarray]:
    """(share of each of the 23 styles, number of posts of each) from a profile's style_stats.

    The denominator is every classified post (no image and 기타 included: they are posts that show
    no style), or the likes of those posts for brands; a brand profile whose likes are all zero
    (every like hidden and nothing visible to impute from) falls back to its posts. For brands, a
    style whose posts got no like at all is still posted: it counts its posts as one like each
    (posts / (likes + posts)), a share above 0 but below nearly every liked style's.
    Whether an influencer posts a style at all is read from the post counts, never from a share.
    """
    posts, likes, all_posts, all_likes = style_totals(stats)
    if by_likes and all_likes > 0:
        shares = likes / all_likes
        unliked = (posts > 0) & (likes <= 0)
        shares[unliked] = posts[unliked] / (all_likes + all_posts)
        return shares, posts
    if all_posts > 0:
        return posts / all_posts, posts
    return np.zeros(len(STYLE_CODES)), posts


def style_totals(stats: dict) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(posts of each of the 23 styles, likes of each, all posts, all likes) of a profile's
    style_stats (the totals count every key: 기타, posts without an image and any other)."""
    posts = np.zeros(len(STYLE_CODES))
    likes = np.zeros(len(STYLE_CODES))
    for code, entry in stats.items():  # a handful of keys: cheaper than 23 look-ups per profile
        position = _STYLE_POSITION.get(code)
        if position is not None:
            posts[position] = entry.get("posts", 0)
            likes[position] = entry.get("likes", 0.0)
    all_posts = math.fsum(v.get("posts", 0) for v in stats.values())
    all_likes = math.fsum(v.get("likes", 0.0) for v in stats.values())
    return posts, likes, all_posts, all_likes


def engagement_scores(
    average_likes: np.ndarray, like_rates: np.ndarray, likes_known: np.ndarray
) -> np.ndarray:
    """Each influencer's engagement in [0, 1], from its own numbers alone (never relative to the
    other candidates, so a ranking can stop reading once nobody unread can reach its places).

    Log-scaled average likes on a fixed scale (ENGAGEMENT_LIKES_SCALE reads 1), mixed with likes
    per follower (ENGAGEMENT_RATE_SCALE reads 1) where followers are known (NaN where not). An
    account that hides every like has no number of its own: ENGAGEMENT_UNKNOWN, never zero.
    """
    average = np.maximum(np.asarray(average_likes, dtype=np.float64), 0)
    rates = np.maximum(np.asarray(like_rates, dtype=np.float64), 0)  # NaN stays NaN
    known = np.asarray(likes_known, dtype=bool)
    likes = np.minimum(1.0, np.log1p(average) / math.log1p(ENGAGEMENT_LIKES_SCALE))
    engagement = likes.copy()
    has_rate = ~np.isnan(rates)
    engagement[has_rate] = LIKES_WEIGHT * likes[has_rate] + (1 - LIKES_WEIGHT) * np.minimum(
        1.0, rates[has_rate] / ENGAGEMENT_RATE_SCALE
    )
    engagement[~known] = ENGAGEMENT_UNKNOWN
    return engagement


def evidence_scores(
    weights: np.ndarray, shares: np.ndarray, engagement: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(score, evidence) per candidate row; shares: rows of per-style shares (23 columns).

    weights: one query's style weights (23,), or several queries' as columns (23, m): then score
    and evidence have one column per query. Each evidence adds its weighted shares one style
    after another in taxonomy order, so a row's number never depends on the rows read with it
    (a ranking that reads candidates a batch at a time gets the same floats as one that reads
    them all) and never exceeds weighted_bound's for shares no larger.
    """
    shares = np.asarray(shares, dtype=np.float64).reshape(-1, len(STYLE_CODES))
    weights = np.asarray(weights, dtype=np.float64)
    columns = weights.reshape(len(STYLE_CODES), -1)
    evidence = np.zeros((len(shares), columns.shape[1]))
    for query in range(columns.shape[1]):
        for style in np.flatnonzero(columns[:, query]):
            evidence[:, query] = evidence[:, query] + columns[style, query] * shares[:, style]
    if weights.ndim == 1:
        evidence = evidence[:, 0]
    lift = 1 + ENGAGEMENT_WEIGHT * np.asarray(engagement, dtype=np.float64)
    score = evidence * (lift[:, None] if evidence.ndim == 2 else lift)
    return score, evidence


def score_bound(weights: np.ndarray, share_bounds: np.ndarray) -> float:
    """The highest score any influencer whose share of each style is at most share_bounds's
    (23,) can have: its evidence, summed as evidence_scores sums it, at the most engagement lifts
    it (SCORE_LIFT_MAX). Floating point keeps the order, so no such influencer's score exceeds it.
    """
    bound = np.zeros((1, len(STYLE_CODES)))
    bound[0] = share_bounds
    _, evidence = evidence_scores(weights, bound, np.ones(1))
    return float(evidence[0] * SCORE_LIFT_MAX)


def profile_cosines(query: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    """Cosine of each profile row (기타 removed) with a query vector (shown, not ranked on)."""
    p = without_other(profiles)
    norms = np.linalg.norm(p, axis=1)
    norms[norms == 0] = 1.0
    return (p @ style_vector(query)) / norms


def visual_scores(
    query: np.ndarray, embeddings: np.ndarray, owners: np.ndarray
) -> dict[int, float]:
    """Per owner, the mean cosine similarity of their VISUAL_TOP_POSTS posts closest to the query
    (fewer posts: the mean of those they have). Embeddings are L2-normalised rows."""
    if not len(owners):
        return {}
    sims = np.asarray(embeddings, dtype=np.float64) @ np.asarray(query, dtype=np.float64)
    scores = {}
    for owner in np.unique(owners):
        best = np.sort(sims[owners == owner])[::-1][:VISUAL_TOP_POSTS]
        scores[int(owner)] = math.fsum(best) / len(best)
    return scores


def top_k(scores: np.ndarray, ids: np.ndarray, k: int | None) -> list[int]:
    """Row indices of the k best scores (all when k is None); equal scores (to SCORE_DECIMALS)
    go to the smaller id, so the order never depends on float noise."""
    order = np.lexsort((ids, -np.round(scores, SCORE_DECIMALS)))
    return [int(i) for i in (order if k is None else order[:k])]


def lookalike_scores(
    profile: np.ndarray, centroid: np.ndarray | None, profiles: np.ndarray, centroids: np.ndarray
) -> np.ndarray:
    """Similarity to one influencer: the mean of style-profile cosine and embedding-centroid
    cosine (centroid rows of zeros, for influencers without embeddings, score 0 there)."""
    style_similarity = profile_cosines(profile, profiles)
    if centroid is None or not len(centroids):
        return style_similarity
    embedding_similarity = np.asarray(centroids, dtype=np.float64) @ np.asarray(
        centroid, dtype=np.float64
    )
    return (
        LOOKALIKE_STYLE_WEIGHT * style_similarity
        + (1 - LOOKALIKE_STYLE_WEIGHT) * embedding_similarity
    )
