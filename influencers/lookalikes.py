"""Influencers that look like a given one, by style profile and by post-embedding centroid."""

import numpy as np

from common.vectors import vector_from_bytes
from influencers.models import Influencer
from mlcore.ranking import lookalike_scores, top_k


def influencer_lookalikes(
    *, influencer: Influencer, gender: str = "", body_size: str = "", limit: int = 6
) -> list[tuple[Influencer, float]]:
    """The most similar active influencers (never the influencer itself), best first."""
    profile = vector_from_bytes(influencer.count_distribution)
    if profile is None:
        return []
    centroid = vector_from_bytes(influencer.embedding_centroid)
    qs = Influencer.objects.filter(is_active=True, count_distribution__isnull=False).exclude(
        pk=influencer.pk
    )
    if gender:
        qs = qs.filter(gender=gender)
    if body_size:
        qs = qs.filter(body_size=body_size)
    rows = list(qs.values_list("pk", "count_distribution", "embedding_centroid"))
    if not rows:
        return []
    ids = np.array([r[0] for r in rows])
    profiles = np.stack([vector_from_bytes(r[1]) for r in rows])
    centroids = np.stack(
        [vector_from_bytes(r[2]) if r[2] is not None else np.zeros(512, np.float32) for r in rows]
    )
    scores = lookalike_scores(profile, centroid, profiles, centroids)
    picks = top_k(scores, ids, limit)
    chosen = {i.pk: i for i in Influencer.objects.filter(pk__in=[int(ids[i]) for i in picks])}
    return [(chosen[int(ids[i])], float(scores[i])) for i in picks]
