"""Influencers an import created (gender or body size blank) wait for staff: no gender or size
filter recommends them, not even the ranking's relaxed size, until both are set."""

import numpy as np
import pytest

from influencers.models import Influencer
from influencers.selectors import influencer_lookalikes
from influencers.services.profiles import influencer_style_profile_rebuild
from recommender.selectors.ranking import RankingQuery, ranking_original, ranking_similarity
from tests.factories import InfluencerFactory, classified_post, style_probabilities

pytestmark = pytest.mark.django_db


def build(handle, gender, size):
    influencer = InfluencerFactory(handle=handle, gender=gender, body_size=size)
    for _ in range(3):
        classified_post(influencer, "romantic", 100)
    return influencer_style_profile_rebuild(influencer_id=influencer.pk)


def query(mode="consumer", k=5):
    probabilities = style_probabilities("romantic")
    embedding = np.zeros(512, dtype=np.float32)
    embedding[int(np.argmax(probabilities))] = 1
    return RankingQuery(
        mode=mode, gender="F", body_size="M", probabilities=probabilities, embedding=embedding, k=k
    )


def handles(result):
    return {card["handle"] for card in result.cards}


@pytest.fixture
def catalogue():
    return [
        build("curated_f_m", "F", "M"),
        build("curated_f_l", "F", "L"),
        build("size_unknown", "F", ""),
        build("gender_unknown", "", "M"),
        build("both_unknown", "", ""),
    ]


def test_influencers_needing_curation_are_never_recommended_under_a_gender_or_size_filter(
    catalogue,
):
    assert set(Influencer.objects.needing_curation().values_list("handle", flat=True)) == {
        "size_unknown",
        "gender_unknown",
        "both_unknown",
    }
    for result in (ranking_original(query()), ranking_original(query("brand"))):
        assert handles(result) == {"curated_f_m"}
    # the relaxed size reaches other sizes of the gender, never an unknown one
    assert handles(ranking_similarity(query())) == {"curated_f_m", "curated_f_l"}


def test_an_influencer_is_recommended_once_staff_set_gender_and_size(catalogue):
    Influencer.objects.filter(handle="size_unknown").update(body_size="M")
    assert "size_unknown" in handles(ranking_original(query()))


def test_lookalikes_under_a_filter_leave_out_influencers_needing_curation(catalogue):
    first = catalogue[0]
    found = {i.handle for i, _ in influencer_lookalikes(influencer=first, gender="F")}
    assert found == {"curated_f_l"}
    unfiltered = {i.handle for i, _ in influencer_lookalikes(influencer=first)}
    assert "both_unknown" in unfiltered
