"""The visual ranking the end-to-end benchmark measures (bench/visual_ranking.py; not offered)."""

import sys
from pathlib import Path

import numpy as np
import pytest

from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, classified_post
from tests.recommender.test_ranking import query

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from visual_ranking import VISUAL_RANKING, ranking_visual  # noqa: E402

pytestmark = pytest.mark.django_db


def test_the_visual_ranking_puts_first_the_influencer_whose_posts_look_most_like_the_photo():
    near, far = np.eye(512, dtype=np.float32)[7], np.eye(512, dtype=np.float32)[8]
    alike = InfluencerFactory(handle="alike")
    unlike = InfluencerFactory(handle="unlike")
    for _ in range(3):
        classified_post(alike, "street", 1, embedding=near)
        classified_post(unlike, "street", 9000, embedding=far)
    classified_post(alike, "street", 1, embedding=far)  # one post unlike: the top posts count
    for influencer in (alike, unlike):
        influencer_style_profile_rebuild(influencer_id=influencer.pk)
    q = query("brand", style="street")
    q.embedding = near
    result = ranking_visual(q)
    assert result.ranking == VISUAL_RANKING
    assert [c["influencer_id"] for c in result.cards] == [alike.pk, unlike.pk]
    assert result.cards[0]["score"] == pytest.approx((3 * 1.0 + 0.0) / 4)
