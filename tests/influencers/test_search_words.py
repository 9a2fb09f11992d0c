"""Search that finds: each word anywhere in an influencer (keywords, hashtags, captions, handle),
and English style names and common fashion words find their Korean counterparts."""

import pytest
from rest_framework.test import APIClient

from influencers.models import Influencer
from influencers.search import term_variants
from influencers.search_synonyms import FASHION_SYNONYMS
from influencers.selectors import caption_snippet, influencer_list
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db


def found(search: str) -> list[str]:
    return [i.handle for i in influencer_list(filters={"q": search})]


@pytest.fixture
def catalogue():
    yeonnam = InfluencerFactory(handle="yeonnam_daily")
    classified_post(yeonnam, "romantic", 10, caption="#연남동 산책하는 주말")
    classified_post(yeonnam, "romantic", 12, caption="새로 생긴 #카페 라떼")
    Influencer.objects.filter(pk=yeonnam.pk).update(keywords=[["연남동", 3], ["카페", 2]])
    street = InfluencerFactory(handle="street_kim")
    classified_post(street, "street", 30, caption="오늘의 #스트리트룩 #데님 자켓")
    dress = InfluencerFactory(handle="onepiece_lee")
    classified_post(dress, "feminine", 20, caption="봄 #원피스 코디")
    InfluencerFactory(handle="nothing_here")


def test_words_found_in_different_captions_find_the_influencer(catalogue):
    """Walkthrough: "연남동 카페" found nothing though both are the influencer's words."""
    assert found("연남동 카페") == ["yeonnam_daily"]
    assert found("#연남동 #카페") == ["yeonnam_daily"]
    # A word in the handle and one in a caption.
    assert found("street 데님") == ["street_kim"]
    assert found("연남동 데님") == []


def test_caption_hits_count_captions_holding_every_word(catalogue):
    (influencer,) = influencer_list(filters={"q": "연남동 카페"})
    assert influencer.caption_hits == 0  # no one caption holds both
    (influencer,) = influencer_list(filters={"q": "연남동"})
    assert influencer.caption_hits == 1


def test_english_style_names_and_fashion_words_find_the_korean_ones(catalogue):
    assert found("Street") == ["street_kim"]  # 스트리트룩
    assert found("dress") == ["onepiece_lee"]  # 원피스
    assert found("jeans") == ["street_kim"]  # 데님
    assert found("spring dress") == ["onepiece_lee"]  # 봄 원피스
    assert found("cafe") == ["yeonnam_daily"]


def test_the_snippet_marks_the_korean_word_an_english_search_found(catalogue):
    pieces = caption_snippet("봄 #원피스 코디", "dress")
    assert [p["text"] for p in pieces if p["match"]] == ["원피스"]


def test_the_api_search_finds_the_same(catalogue):
    api = APIClient()
    api.force_authenticate(UserFactory())
    body = api.get("/api/v1/influencers/", {"q": "연남동 카페"}).json()
    assert [r["handle"] for r in body["results"]] == ["yeonnam_daily"]


def test_every_word_of_the_table_finds_its_whole_group():
    for group in FASHION_SYNONYMS:
        for word in group:
            variants = {v.lower() for v in term_variants(word)}
            assert set(w.lower() for w in group) <= variants, word


def test_the_korean_style_name_finds_the_english_code_and_back():
    assert "로맨틱" in term_variants("romantic") and "romantic" in term_variants("로맨틱")
    assert "키치/키덜트" in term_variants("kidult")


def test_results_are_the_most_followed_first_whatever_matched(catalogue):
    other = InfluencerFactory(handle="caption_only", followers=50_000)
    classified_post(other, "street", 1, caption="street street street")
    Influencer.objects.filter(handle="street_kim").update(followers=1_000)
    assert found("street") == ["caption_only", "street_kim"]


def test_a_word_finds_the_captions_words_that_start_with_it(catalogue):
    """A particle after a noun never hides it; a noun inside a compound hashtag is found."""
    person = InfluencerFactory(handle="particles")
    classified_post(person, "street", 1, caption="성수동카페에서 커피를 마셨다 #가을코디추천")
    assert "particles" in found("커피")  # 커피를
    assert "particles" in found("카페")  # a noun inside 성수동카페에서
    assert "particles" in found("가을코디")  # the start of a hashtag
    assert "particles" not in found("피를")  # the middle of a word is no word


def test_the_search_index_follows_the_captions(catalogue):
    """Caption words are indexed by the summary rebuild (import, refresh, staff edits run it)."""
    from influencers.models import Post
    from influencers.services.summaries import influencer_summary_rebuild

    person = InfluencerFactory(handle="rewritten")
    post = classified_post(person, "street", 1, caption="한강 피크닉")
    assert found("피크닉") == ["rewritten"]
    Post.objects.filter(pk=post.pk).update(caption="제주 바다")
    assert found("제주") == []  # the index is the summary's, not a scan of the posts
    influencer_summary_rebuild(influencer_id=person.pk)
    assert found("제주") == ["rewritten"] and found("피크닉") == []


def test_a_caption_of_one_endless_word_is_indexed_and_found_by_its_start(catalogue):
    """A word of 2 KB ("ㅋ" 700 times, a laugh) is more than PostgreSQL's full-text index takes:
    the index keeps its first characters, so the summary does not fail and the word is found."""
    from influencers.services.summaries import influencer_summary_rebuild

    person = InfluencerFactory(handle="laughing")
    classified_post(person, "street", 1, caption="ㅋ" * 700 + " 성수 카페")
    influencer_summary_rebuild(influencer_id=person.pk)
    assert found("ㅋㅋㅋㅋ") == ["laughing"] and found("성수") == ["laughing"]


def test_a_search_of_an_emoji_alone_finds_no_caption(catalogue):
    person = InfluencerFactory(handle="emoji_only")
    classified_post(person, "street", 1, caption="😍😍")
    assert found("😍") == []


def test_a_short_word_finds_the_words_of_a_handle_and_name_a_longer_one_anywhere(catalogue):
    """No trigram index serves a search of one or two letters: such a word finds words only."""
    person = InfluencerFactory(handle="seoul.hangang_walk", display_name="한강 산책러")
    classified_post(person, "street", 1, caption="오늘")
    assert "seoul.hangang_walk" in found("한강")  # a word of the display name
    assert "seoul.hangang_walk" in found("se")  # a word of the handle starts with it
    assert "seoul.hangang_walk" not in found("ou")  # two letters inside a word
    assert "seoul.hangang_walk" in found("angang")  # three or more: anywhere in the handle
