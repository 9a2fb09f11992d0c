"""Engagement is each influencer's own number on a fixed scale, so a score never exceeds
score_bound for shares no larger than the bound's."""

import math

import numpy as np
import pytest

from mlcore.ranking import (
    ENGAGEMENT_LIKES_SCALE,
    ENGAGEMENT_RATE_SCALE,
    ENGAGEMENT_UNKNOWN,
    SCORE_LIFT_MAX,
    engagement_scores,
    evidence_scores,
    score_bound,
)
from mlcore.styles import STYLE_CODES


def test_an_influencer_s_engagement_does_not_depend_on_the_others():
    alone = engagement_scores([1000.0], [0.05], [True])
    beside_a_star = engagement_scores([1000.0, 5e6], [0.05, 0.9], [True, True])
    assert alone[0] == beside_a_star[0]
    likes = math.log1p(1000) / math.log1p(ENGAGEMENT_LIKES_SCALE)
    assert alone[0] == pytest.approx(0.5 * likes + 0.5 * 0.05 / ENGAGEMENT_RATE_SCALE)


def test_the_likes_part_alone_where_followers_are_unknown_and_the_middle_when_all_hidden():
    scores = engagement_scores(
        [100.0, 100.0, 0.0, -3.0], [np.nan, 0.01, np.nan, np.nan], [1, 1, 0, 1]
    )
    assert scores[0] == math.log1p(100) / math.log1p(ENGAGEMENT_LIKES_SCALE)
    assert scores[1] != scores[0]
    assert scores[2] == ENGAGEMENT_UNKNOWN
    assert scores[3] == 0.0


def test_engagement_is_capped_at_one_so_a_score_is_at_most_the_bound():
    rng = np.random.default_rng(3)
    n = 5000
    average = np.exp(rng.uniform(-2, 20, n))
    rates = np.where(rng.random(n) < 0.3, np.nan, rng.exponential(0.3, n))
    engagement = engagement_scores(average, rates, rng.random(n) < 0.9)
    assert engagement.min() >= 0 and engagement.max() == 1.0
    weights = np.zeros(len(STYLE_CODES))
    weights[[0, 4, 9]] = rng.dirichlet(np.ones(3))
    shares = np.zeros((n, len(STYLE_CODES)))
    shares[:, [0, 4, 9]] = rng.random((n, 3))
    bounds = shares.max(axis=0)
    scores, evidence = evidence_scores(weights, shares, engagement)
    assert scores.max() <= score_bound(weights, bounds)
    assert np.all(scores <= evidence * SCORE_LIFT_MAX)
