"""Each style-share row keeps its influencer's gender, body size and whether a ranking may
recommend it (migration 0022's triggers), whatever path writes either table: the similarity
ranking walks only the rows in its filters."""

import pytest

from influencers.models import Influencer, InfluencerStyleShare
from influencers.services.curation import influencers_set_active
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db


def copies(influencer) -> set[tuple]:
    return set(
        InfluencerStyleShare.objects.filter(influencer=influencer).values_list(
            "gender", "body_size", "rankable"
        )
    )


@pytest.fixture
def posting():
    influencer = InfluencerFactory(handle="posting", gender="F", body_size="S")
    for style in ("street", "romantic", "street"):
        classified_post(influencer, style, 10)
    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    return influencer


def test_rows_written_with_the_profile_take_the_influencers_values(posting):
    assert InfluencerStyleShare.objects.filter(influencer=posting).count() == 2
    assert copies(posting) == {("F", "S", True)}


def test_a_bulk_update_a_save_and_deactivation_reach_the_rows_at_once(posting):
    Influencer.objects.filter(pk=posting.pk).update(gender="M")  # no signal, no save()
    assert copies(posting) == {("M", "S", True)}
    posting.refresh_from_db()
    posting.body_size = "L"
    posting.save()
    assert copies(posting) == {("M", "L", True)}
    influencers_set_active(influencer_ids=[posting.pk], active=False)
    assert copies(posting) == {("M", "L", False)}
    influencers_set_active(influencer_ids=[posting.pk], active=True)
    assert copies(posting) == {("M", "L", True)}


def test_an_influencer_waiting_for_curation_is_never_rankable(posting):
    Influencer.objects.filter(pk=posting.pk).update(body_size="")
    assert copies(posting) == {("F", "", False)}
    Influencer.objects.filter(pk=posting.pk).update(body_size="M")
    influencer_style_profile_rebuild(influencer_id=posting.pk)  # rows written again
    assert copies(posting) == {("F", "M", True)}


def test_another_influencers_change_leaves_these_rows_alone(posting):
    other = InfluencerFactory(handle="other", gender="F", body_size="S")
    classified_post(other, "street", 5)
    influencer_style_profile_rebuild(influencer_id=other.pk)
    Influencer.objects.filter(pk=other.pk).update(gender="M", is_active=False)
    assert copies(posting) == {("F", "S", True)}
    assert copies(other) == {("M", "S", False)}
