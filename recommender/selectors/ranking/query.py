"""What a ranking is asked, what it returns, and the influencers its filters admit."""

from dataclasses import dataclass, field

import numpy as np

from accounts.models import Role
from influencers.models import Influencer
from mlcore.ranking import query_style_weights
from mlcore.styles import STYLE_CODES
from recommender.models import RecommendationRequest

Ranking = RecommendationRequest.Ranking


@dataclass
class RankingQuery:
    mode: str  # a Role: brands rank by likes, consumers by posts
    gender: str  # blank: any
    body_size: str  # blank: any
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

    @property
    def query_styles(self) -> list[str]:
        """The styles the query asks for, in taxonomy order."""
        return [STYLE_CODES[i] for i in np.flatnonzero(query_style_weights(self.probabilities))]


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


def influencers_in_filters(query: RankingQuery, *, relax_size: bool = False):
    """Active, curated influencers of the query's gender and body size (blank: any; every size
    when relax_size). One whose gender or size staff have not set yet is never recommended."""
    qs = Influencer.objects.filter(is_active=True).curated()
    if query.gender:
        qs = qs.filter(gender=query.gender)
    if query.body_size and not relax_size:
        qs = qs.filter(body_size=query.body_size)
    return qs
