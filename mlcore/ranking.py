"""Scoring for the similarity ranking: style-distribution similarity blended with engagement."""

import numpy as np

from mlcore.styles import without_other

# The similarity ranking's score: this much style similarity, the rest engagement.
SIMILARITY_WEIGHT = 0.75
# Engagement mixes log-scaled average likes and likes per follower in these shares.
LIKES_WEIGHT = 0.5
# Look-alikes mix style-profile cosine and post-embedding-centroid cosine in these shares.
LOOKALIKE_STYLE_WEIGHT = 0.5


def style_vector(probabilities: np.ndarray) -> np.ndarray:
    """A probability vector with 기타 removed, L2-normalised for cosine similarity."""
    vector = without_other(probabilities)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def _profile_cosines(query: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    """Cosine of each profile row (기타 removed) with an already normalised query vector."""
    p = without_other(profiles)
    norms = np.linalg.norm(p, axis=1)
    norms[norms == 0] = 1.0
    return (p @ query) / norms


def similarity_scores(
    query: np.ndarray, profiles: np.ndarray, average_likes: np.ndarray, like_rates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(blended score, cosine similarity) for each profile row.

    Engagement is log-scaled average likes relative to the best candidate, averaged with likes per
    follower (relative to the best) where followers are known (NaN where not).
    """
    similarity = _profile_cosines(style_vector(query), profiles)
    likes = np.log1p(np.maximum(average_likes, 0))
    engagement = likes / likes.max() if len(likes) and likes.max() > 0 else np.zeros(len(likes))
    rates = np.asarray(like_rates, dtype=np.float64)
    known = ~np.isnan(rates)
    if known.any() and np.nanmax(rates) > 0:
        engagement = engagement.copy()
        engagement[known] = LIKES_WEIGHT * engagement[known] + (1 - LIKES_WEIGHT) * rates[
            known
        ] / np.nanmax(rates)
    score = SIMILARITY_WEIGHT * similarity + (1 - SIMILARITY_WEIGHT) * engagement
    return score, similarity


def top_k(scores: np.ndarray, ids: np.ndarray, k: int) -> list[int]:
    """Row indices of the k best scores; ties go to the smaller id (deterministic)."""
    order = np.lexsort((ids, -np.round(scores, 9)))
    return [int(i) for i in order[:k]]


def lookalike_scores(
    profile: np.ndarray, centroid: np.ndarray | None, profiles: np.ndarray, centroids: np.ndarray
) -> np.ndarray:
    """Similarity to one influencer: the mean of style-profile cosine and embedding-centroid
    cosine (centroid rows of zeros, for influencers without embeddings, score 0 there)."""
    style_similarity = _profile_cosines(style_vector(profile), profiles)
    if centroid is None or not len(centroids):
        return style_similarity
    embedding_similarity = np.asarray(centroids, dtype=np.float64) @ np.asarray(
        centroid, dtype=np.float64
    )
    return (
        LOOKALIKE_STYLE_WEIGHT * style_similarity
        + (1 - LOOKALIKE_STYLE_WEIGHT) * embedding_similarity
    )
