"""Each influencer's keywords lead with the words that tell it apart from the catalogue."""

import pytest

from influencers.models import Influencer
from influencers.selectors import keyword_catalogue_counts
from influencers.services.summaries import influencer_summary_rebuild
from tests.factories import InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_catalogue_counts(settings):
    settings.KEYWORD_CATALOGUE_CACHE_SECONDS = 0


def _influencer(handle, captions):
    influencer = InfluencerFactory(handle=handle)
    for caption in captions:
        classified_post(influencer, "romantic", 1, caption=caption)
    return influencer


def test_words_every_account_uses_stop_topping_every_cloud():
    camper = _influencer("camper", ["#데일리룩 #코디 캠핑장 나들이"] * 3 + ["#데일리룩 #코디"] * 5)
    golfer = _influencer(
        "golfer", ["#데일리룩 #코디 골프웨어 라운딩"] * 3 + ["#데일리룩 #코디"] * 5
    )
    baker = _influencer("baker", ["#데일리룩 #코디 베이커리 빵집"] * 3 + ["#데일리룩 #코디"] * 5)
    for influencer in (camper, golfer, baker):
        influencer_summary_rebuild(influencer_id=influencer.pk)
    # The second pass weighs each against the others' counts stored by the first.
    tops = {}
    for influencer in (camper, golfer, baker):
        rebuilt = influencer_summary_rebuild(influencer_id=influencer.pk)
        tops[influencer.handle] = rebuilt.keywords[0][0]
    # By count 데일리룩 and 코디 (8 each) would top all three.
    assert tops == {"camper": "캠핑장", "golfer": "골프웨어", "baker": "베이커리"}
    camper.refresh_from_db()
    # The counts stay the influencer's own; 데일리룩 is kept among its word counts.
    assert dict(camper.keywords)["캠핑장"] == 3
    assert camper.word_counts["데일리룩"] == 8


def test_the_first_influencer_of_a_catalogue_keeps_its_words_by_count():
    alone = _influencer("alone", ["#원피스 #원피스 카페"])
    rebuilt = influencer_summary_rebuild(influencer_id=alone.pk)
    assert rebuilt.keywords[0] == ["원피스", 2]


def test_the_catalogue_counts_leave_out_the_influencer_asked_about():
    one = InfluencerFactory(word_counts={"a": 2, "b": 1})
    InfluencerFactory(word_counts={"a": 3})
    totals, holders = keyword_catalogue_counts(exclude_influencer_id=one.pk)
    assert (dict(totals), holders) == ({"a": 3}, 1)
    totals, holders = keyword_catalogue_counts()
    assert (dict(totals), holders) == ({"a": 5, "b": 1}, 2)
    assert Influencer.objects.count() == 2


def test_a_stale_cached_catalogue_never_empties_the_keywords(settings):
    from django.core.cache import cache

    settings.KEYWORD_CATALOGUE_CACHE_SECONDS = 600
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    influencer = _influencer("cached", ["트렌치코트"])
    first = influencer_summary_rebuild(influencer_id=influencer.pk)  # caches an empty catalogue
    classified_post(influencer, "romantic", 1, caption="트렌치코트 #원피스")
    second = influencer_summary_rebuild(influencer_id=influencer.pk)
    assert first.keywords == [["트렌치코트", 1]]
    assert dict(second.keywords) == {"트렌치코트": 2, "원피스": 1}
