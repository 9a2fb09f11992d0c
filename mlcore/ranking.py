"""Scoring for the similarity ranking: style-distribution similarity blended with engagement."""

import numpy as np

from mlcore.styles import OTHER, TAXONOMY_INDEX

SIMILARITY_WEIGHT = 0.75
_OTHER_COLUMN = TAXONOMY_INDEX[OTHER.code]


def style_vector(probabilities: np.ndarray) -> np.ndarray:
    """A probability vector with 기타 removed, L2-normalised for cosine similarity."""
    vector = np.asarray(probabilities, dtype=np.float64).copy()
    vector[_OTHER_COLUMN] = 0.0
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def similarity_scores(
    query: np.ndarray, profiles: np.ndarray, average_likes: np.ndarray, like_rates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(blended score, cosine similarity) for each profile row.

    Engagement is log-scaled average likes relative to the best candidate, averaged with likes per
    follower (relative to the best) where followers are known (NaN where not).
    """
    q = style_vector(query)
    p = np.asarray(profiles, dtype=np.float64).copy()
    p[:, _OTHER_COLUMN] = 0.0
    norms = np.linalg.norm(p, axis=1)
    norms[norms == 0] = 1.0
    similarity = (p @ q) / norms
    likes = np.log1p(np.maximum(average_likes, 0))
    engagement = likes / likes.max() if len(likes) and likes.max() > 0 else np.zeros(len(likes))
    rates = np.asarray(like_rates, dtype=np.float64)
    known = ~np.isnan(rates)
    if known.any() and np.nanmax(rates) > 0:
        engagement = engagement.copy()
        engagement[known] = 0.5 * engagement[known] + 0.5 * rates[known] / np.nanmax(rates)
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
    p = np.asarray(profiles, dtype=np.float64).copy()
    p[:, _OTHER_COLUMN] = 0.0
    norms = np.linalg.norm(p, axis=1)
    norms[norms == 0] = 1.0
    style_similarity = (p @ style_vector(profile)) / norms
    if centroid is None or not len(centroids):
        return style_similarity
    embedding_similarity = np.asarray(centroids, dtype=np.float64) @ np.asarray(
        centroid, dtype=np.float64
    )
    return 0.5 * style_similarity + 0.5 * embedding_similarity
