"""The visual ranking: measured by bench/e2e_quality.py, not offered (docs/ranking.md).

Influencers in the filters whose posts look most like the photo (mean of the best post-embedding
cosines), whatever their styles. It reads every classified post of the filtered influencers (one
query), so its cost grows with the catalogue. Django must be set up before this is imported.
"""

import numpy as np

from common.vectors import vector_from_bytes
from influencers.models import Post
from mlcore.ranking import top_k, visual_scores
from recommender.selectors.ranking import Note, RankingQuery, RankingResult
from recommender.selectors.ranking.cards import card_build, card_influencers, closest_posts
from recommender.selectors.ranking.query import influencers_in_filters

# Its name in the benchmark's results (not a RecommendationRequest.Ranking choice).
VISUAL_RANKING = "visual"


def ranking_visual(query: RankingQuery) -> RankingResult:
    """Influencers by the mean cosine of their best posts to the photo, with cards."""
    result = RankingResult(VISUAL_RANKING, k=query.k)
    rows = list(
        Post.objects.filter(
            influencer__in=influencers_in_filters(query), embedding__isnull=False
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
    influencers = card_influencers(picks)
    posts = closest_posts(picks, query.embedding)
    for pk in picks:
        result.cards.append(
            card_build(
                influencers[pk],
                query,
                styles=query.query_styles,
                score=scores[pk],
                similarity=scores[pk],
                evidence=posts.get(pk, []),
            )
        )
    return result
