"""The prototype's ranking: influencers whose representative style is the query's top style."""

import math

from influencers.constants import PROFILE_LIKES_DECIMALS
from influencers.models import Influencer
from recommender.selectors.ranking.cards import (
    CARD_FIELDS,
    card_build,
    card_influencers,
    most_liked_posts_of_style,
)
from recommender.selectors.ranking.notices import Note, no_match_block
from recommender.selectors.ranking.query import (
    Ranking,
    RankingQuery,
    RankingResult,
    influencers_in_filters,
)


def ranking_original(query: RankingQuery) -> RankingResult:
    """Brands: by the likes of their most-liked style; consumers: by the posts of their most-posted
    style; only influencers whose representative style is the query's top style."""
    style = query.top_style
    if query.by_likes:
        influencers = _original_by_likes(query, style)
    else:
        qs = (
            influencers_in_filters(query)
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
    evidence = most_liked_posts_of_style([i.pk for i in influencers], style)
    for influencer in influencers:
        result.cards.append(
            card_build(
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
        result.no_match = no_match_block(style=style)
    return result


def _original_by_likes(query: RankingQuery, style: str) -> list[Influencer]:
    """Brands: the influencers whose most-liked style is `style`, by the likes of those posts.

    An account that hides every like has no likes of its own to impute from (its posts count 0):
    its posts of the style count the mean likes per post of the other matching accounts, never 0.
    Two queries: the matching profiles' numbers, then the k cards.
    """
    rows = list(
        influencers_in_filters(query)
        .filter(brand_style=style)
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
    chosen = card_influencers(picks)
    for pk in picks:
        chosen[pk].imputed_style_likes = value[pk]
    return [chosen[pk] for pk in picks]
