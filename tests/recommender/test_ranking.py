"""Both rankings against hand-built catalogues (no model involved: posts carry their vectors)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from influencers.models import Post
from influencers.services.profiles import influencer_style_profile_rebuild
from mlcore.styles import TAXONOMY_CODES, TAXONOMY_INDEX
from recommender.selectors.ranking import RankingQuery, ranking_original, ranking_similarity
from tests.factories import InfluencerFactory, classified_post, style_probabilities

pytestmark = pytest.mark.django_db


def build(handle, posts, gender="F", size="M", active=True, followers=None):
    influencer = InfluencerFactory(
        handle=handle, gender=gender, body_size=size, is_active=active, followers=followers
    )
    for style, likes, *rest in posts:
        classified_post(influencer, style, likes, **(rest[0] if rest else {}))
    return influencer_style_profile_rebuild(influencer_id=influencer.pk)


def query(mode, style="romantic", gender="F", size="M", probabilities=None, k=3):
    probs = style_probabilities(style) if probabilities is None else probabilities
    embedding = np.zeros(512, dtype=np.float32)
    embedding[int(np.argmax(probs))] = 1
    return RankingQuery(
        mode=mode, gender=gender, body_size=size, probabilities=probs, embedding=embedding, k=k
    )


@pytest.fixture
def catalogue():
    return {
        "a": build("a_three_romantic", [("romantic", 100)] * 3 + [("resort", 50)]),
        "b": build("b_liked_romantic", [("romantic", 500)] * 2),
        "c": build("c_resort_poster", [("resort", 10)] * 4 + [("romantic", 900)]),
        "d": build("d_small", [("romantic", 5000)] * 5, size="S"),
        "e": build("e_male", [("romantic", 5000)] * 5, gender="M"),
        "f": build("f_inactive", [("romantic", 5000)] * 5, active=False),
    }


def handles(result):
    return [card["handle"] for card in result.cards]


def test_profiles_hold_representative_styles_for_both_views(catalogue):
    c = catalogue["c"]
    assert (c.brand_style, c.consumer_style) == ("romantic", "resort")
    assert c.style_stats["resort"] == {"posts": 4, "likes": 40.0}


def test_brands_get_influencers_whose_most_liked_style_matches_ordered_by_its_likes(catalogue):
    result = ranking_original(query("brand"))
    assert handles(result) == ["b_liked_romantic", "c_resort_poster", "a_three_romantic"]
    assert [card["score"] for card in result.cards] == [1000, 900, 300]
    assert result.notes == []


def test_consumers_get_influencers_who_post_the_style_most_ordered_by_post_count(catalogue):
    result = ranking_original(query("consumer"))
    assert handles(result) == ["a_three_romantic", "b_liked_romantic"]
    assert result.notes == ["fewer_matches"]


def test_evidence_is_the_most_liked_posts_of_that_style(catalogue):
    card = ranking_original(query("brand")).cards[1]
    assert card["handle"] == "c_resort_poster"
    assert [e["likes"] for e in card["evidence"]] == [900]


def test_filters_that_match_nobody_give_an_empty_result(catalogue):
    result = ranking_original(query("brand", style="punk"))
    assert result.cards == [] and result.notes == ["fewer_matches", "no_style_match"]
    assert result.no_match == {"style": "punk", "relaxed_filter": "", "nearest_styles": []}


def test_ties_are_broken_by_the_earlier_influencer():
    first = build("tie_first", [("street", 100)])
    second = build("tie_second", [("street", 100)])
    result = ranking_original(query("brand", style="street"))
    assert [c["influencer_id"] for c in result.cards] == [first.pk, second.pk]


def test_hidden_likes_count_as_the_accounts_mean_in_the_brand_ranking():
    # visible 100 and 300 -> the hidden post counts 200: punk 200 beats street 150.
    build("hidden_likes", [("street", 100), ("street", 300), ("punk", None), ("street", None)])
    influencer = build("plain", [("punk", 150)])
    result = ranking_original(query("brand", style="punk"))
    assert [c["handle"] for c in result.cards] == ["plain"]  # hidden_likes' top style is street
    hidden = next(c for c in ranking_original(query("brand", style="street")).cards)
    assert hidden["handle"] == "hidden_likes"
    assert hidden["score"] == pytest.approx(100 + 300 + 200)
    assert influencer.brand_style == "punk"


def test_no_image_and_other_never_become_representative():
    influencer = InfluencerFactory(handle="mostly_no_image")
    for _ in range(5):
        Post.objects.create(
            influencer=influencer,
            instagram_id=f"n{_}",
            likes=999,
            predicted_style="no_image",
            classification_status="unclassifiable",
        )
    classified_post(influencer, "other", 5000)
    classified_post(influencer, "other", 5000)
    classified_post(influencer, "modern", 1)
    influencer = influencer_style_profile_rebuild(influencer_id=influencer.pk)
    assert (influencer.brand_style, influencer.consumer_style) == ("modern", "modern")


def test_the_similarity_ranking_weighs_the_query_styles_by_the_models_probabilities(catalogue):
    # An imperfect classification: romantic first, resort close behind.
    probabilities = style_probabilities("romantic", 0.55, second="resort")
    result = ranking_similarity(query("consumer", probabilities=probabilities))
    # evidence = 0.55 x romantic share + 0.45 x resort share: b 0.55, a 0.525, c 0.47; the
    # engagement factor (each account's own average likes: b 1.11, a 1.08, c 1.09) keeps that order
    assert handles(result) == ["b_liked_romantic", "a_three_romantic", "c_resort_poster"]
    scores = [card["score"] for card in result.cards]
    assert scores == sorted(scores, reverse=True)
    # each card's reasons: the query's styles it posts, likeliest first
    assert [line["style"] for line in result.cards[0]["style_evidence"]] == ["romantic"]
    assert [line["style"] for line in result.cards[1]["style_evidence"]] == ["romantic", "resort"]
    # the same ranking puts the resort poster first when the look is resort
    resort = ranking_similarity(query("consumer", style="resort"))
    assert handles(resort)[0] == "c_resort_poster"


def test_the_similarity_ranking_relaxes_the_size_filter_and_marks_it(catalogue):
    result = ranking_similarity(query("brand", size="S"))
    assert handles(result)[0] == "d_small"
    assert [c["size_relaxed"] for c in result.cards] == [False, True, True]
    assert result.notes == ["fewer_matches", "size_relaxed"]
    assert result.no_match is None  # d_small, inside the filters, posts romantic
    assert "e_male" not in handles(result) and "f_inactive" not in handles(result)


def test_the_similarity_ranking_is_deterministic_on_ties():
    first = build("same_1", [("street", 100)])
    second = build("same_2", [("street", 100)])
    for _ in range(3):
        ids = [c["influencer_id"] for c in ranking_similarity(query("brand", style="street")).cards]
        assert ids == [first.pk, second.pk]


def test_similarity_evidence_is_the_posts_closest_to_the_query_image():
    influencer = InfluencerFactory(handle="evidence")
    near = np.zeros(512, dtype=np.float32)
    near[0] = 1
    far = np.zeros(512, dtype=np.float32)
    far[1] = 1
    closest = classified_post(influencer, "street", 1, embedding=near)
    classified_post(influencer, "street", 1000, embedding=far)
    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    q = query("brand", style="street")
    q.embedding = near
    card = ranking_similarity(q).cards[0]
    assert card["evidence"][0]["post_id"] == closest.pk


def test_style_fields_store_codes_and_display_korean_names(catalogue):
    from influencers.models import Influencer, StyleChoices

    c = Influencer.objects.get(handle="c_resort_poster")
    assert c.consumer_style == "resort" and c.get_consumer_style_display() == "리조트"
    assert ("no_image", "이미지 없음") in StyleChoices.choices
    c.full_clean()  # stored codes are valid choices


# Style evidence first (issue 17) -------------------------------------------------------------


def mixed_query(mode, size="L", top="mannish", second="street", third="modern"):
    probabilities = np.zeros(len(TAXONOMY_CODES), dtype=np.float32)
    probabilities[TAXONOMY_INDEX[top]] = 0.55
    probabilities[TAXONOMY_INDEX[second]] = 0.28
    probabilities[TAXONOMY_INDEX[third]] = 0.15
    probabilities[TAXONOMY_INDEX["classic"]] = 0.02
    return query(mode, size=size, probabilities=probabilities)


def test_an_influencer_whose_posts_show_none_of_the_query_styles_never_ranks_above_one_who_does():
    # The case: consumer, F/L, 매니시. 0 of 16 posts 매니시 and 3,000 average likes
    # against 14 of 58 posts 매니시 with every like hidden.
    popular = build("popular_none", [("feminine", 3000)] * 16, size="L", followers=20_000)
    hidden = build("hidden_mannish", [("mannish", None)] * 14 + [("sexy", None)] * 44, size="L")
    small = build("one_classic", [("classic", 50_000)] * 9 + [("mannish", 10)], size="L")
    for mode in ("consumer", "brand"):
        ids = [c["influencer_id"] for c in ranking_similarity(mixed_query(mode)).cards]
        assert ids[:2] == [hidden.pk, small.pk], mode
        # the third place goes, marked, to the model's next guess that someone else posts
        # (classic 0.02 is taken by one_classic; the rest is 0, taxonomy order: feminine)
        assert ids[2] == popular.pk
    result = ranking_similarity(mixed_query("consumer"))
    assert [c["nearest_style"] for c in result.cards] == ["", "", "feminine"]
    assert result.notes == ["fewer_matches", "nearest_style"] and result.no_match is None


def test_engagement_orders_influencers_of_comparable_evidence_only():
    liked = build("liked", [("street", 5000)] * 3 + [("modern", 5000)] * 7, followers=10_000)
    plain = build("plain", [("street", 10)] * 3 + [("modern", 10)] * 7, followers=10_000)
    devoted = build("devoted", [("street", 10)] * 9 + [("modern", 10)], followers=10_000)
    result = ranking_similarity(query("consumer", style="street"))
    # devoted (90 % street) beats liked (30 %) whatever the likes; liked beats plain (both 30 %)
    assert [c["influencer_id"] for c in result.cards] == [devoted.pk, liked.pk, plain.pk]


def test_hidden_likes_count_as_the_imputed_mean_never_as_zero_engagement():
    low = build("low", [("street", 100)] * 4)
    hidden = build("hidden", [("street", None)] * 4)
    high = build("high", [("street", 10_000)] * 4)
    # same evidence (all street): the account hiding every like gets the middle of the
    # engagement scale (mlcore.ranking.ENGAGEMENT_UNKNOWN), between 10,000 and 100 likes a post
    ids = [c["influencer_id"] for c in ranking_similarity(query("brand", style="street")).cards]
    assert ids == [high.pk, hidden.pk, low.pk]
    # partly hidden: the hidden posts count the account's visible mean in its average likes
    partly = build("partly", [("punk", 100), ("punk", 300), ("punk", None)])
    card = ranking_similarity(query("brand", style="punk")).cards[0]
    assert card["influencer_id"] == partly.pk and card["average_likes"] == 200.0


def test_each_card_says_which_of_its_posts_show_the_style_and_the_likes_they_got():
    build("forty", [("romantic", 100)] * 12 + [("street", 10)] * 28)
    card = ranking_similarity(query("brand")).cards[0]
    assert card["style_evidence"] == [
        {
            "style": "romantic",
            "posts": 12,
            "of_posts": 40,
            "share": 0.3,
            "likes": 1200.0,
            "likes_share": round(1200 / 1480, 4),
        }
    ]
    original = ranking_original(query("brand")).cards[0]
    assert original["style_evidence"][0]["posts"] == 12


def test_other_is_never_a_query_style_nor_counts_in_the_confidence():
    probabilities = style_probabilities("other", 0.6, second="romantic")
    q = query("consumer", probabilities=probabilities)
    assert q.top_style == "romantic"
    assert q.confidence == pytest.approx(0.4)
    build("other_poster", [("other", 100)] * 5)
    poster = build("romantic_poster", [("romantic", 1)])
    result = ranking_similarity(q)
    assert [c["influencer_id"] for c in result.cards] == [poster.pk]
    assert [line["style"] for line in result.cards[0]["style_evidence"]] == ["romantic"]


def test_the_ranking_costs_the_same_number_of_queries_whatever_the_catalogue_size(
    django_assert_num_queries,
):
    def costs():
        # the first batch of candidates 2 (its last row, then the candidates up to it) + anyone
        # posting the style 1 + cards 1 + the closest posts of every card 1
        with django_assert_num_queries(5):
            cards = ranking_similarity(query("brand", style="street")).cards
        # candidates 1 + cards 1 + evidence posts k=3
        with django_assert_num_queries(5):
            ranking_original(query("brand", style="street"))
        # nobody posts punk: + other sizes 2 + the posters of the first next guess 2 (one-hot
        # query: taxonomy order, classic first)
        with django_assert_num_queries(9):
            no_match = ranking_similarity(query("brand", style="punk"))
        assert no_match.no_match and len(no_match.cards) == 3
        return cards

    for n in range(4):
        build(f"few_{n}", [("street", 10 * n + 1)] * 2 + [("classic", 5)])
    costs()
    # the catalogue grows inside the filters (F / M): more matches, more profiles to fill from
    for n in range(20):
        build(f"many_{n}", [("street", 10 * n + 1)] * 2 + [("classic", 5)])
        build(f"many_other_size_{n}", [("street", 10 * n + 1)] * 2, size="L")
    cards = costs()
    with django_assert_num_queries(0):  # everything a card shows is in the dict
        [c["style_evidence"] for c in cards]


# No match in the filters (issue 17) ----------------------------------------------------------


def test_nobody_posting_the_predicted_style_is_said_plainly_and_the_relaxed_filter_named():
    from django.utils import translation

    from recommender.presentation import ranking_notices

    build("street_m", [("street", 100)] * 3)
    other_size = build("oriental_s", [("oriental", 100)] * 2, size="S")
    result = ranking_similarity(query("consumer", style="oriental"))
    block = result.as_dict()
    # the one-hot query gives every other style 0: the next guess goes by taxonomy order
    assert block["no_match"] == {
        "style": "oriental",
        "relaxed_filter": "body_size",
        "nearest_styles": ["street"],
    }
    assert result.cards[0]["influencer_id"] == other_size.pk
    assert result.cards[0]["size_relaxed"] and result.cards[0]["shows_predicted_style"]
    assert all(c["size_relaxed"] or c["nearest_style"] for c in result.cards)
    ko = {n["code"]: n["text"] for n in ranking_notices(block, language="ko")}
    en = {n["code"]: n["text"] for n in ranking_notices(block, language="en")}
    assert "오리엔탈" in ko["no_style_match"] and "Oriental" in en["no_style_match"]
    assert "body size" in en["size_relaxed"]
    with translation.override("en"):
        assert ranking_notices(block)[0]["text"] == en["no_style_match"]


def test_with_no_match_and_no_other_size_the_nearest_style_fills_and_is_marked():
    street = build("street_only", [("street", 100)] * 3)
    probabilities = style_probabilities("oriental", 0.87, second="street")
    result = ranking_similarity(query("consumer", probabilities=probabilities))
    # street is one of the query's styles (0.13): a match by evidence, but not of 오리엔탈
    assert [c["influencer_id"] for c in result.cards] == [street.pk]
    card = result.cards[0]
    assert card["shows_predicted_style"] is False
    assert [(line["style"], line["posts"]) for line in card["style_evidence"]] == [("street", 3)]
    assert result.no_match == {"style": "oriental", "relaxed_filter": "", "nearest_styles": []}
    one_style = ranking_similarity(query("consumer", style="oriental"))
    assert [c["nearest_style"] for c in one_style.cards] == ["street"]
    assert one_style.no_match["nearest_styles"] == ["street"]


# Exact ties (issue 17) -----------------------------------------------------------------------


def imputed_hundred(style="street"):
    """Likes 10, 20, 20 (newest) and three hidden posts at their mean 16.67: summed in that order
    one by one they make 100.00000000000001, not 100."""
    day = datetime(2026, 1, 1, tzinfo=UTC)
    visible = [
        (style, n, {"posted_at": day + timedelta(days=9 - i)}) for i, n in enumerate((10, 20, 20))
    ]
    hidden = [(style, None, {"posted_at": day + timedelta(days=i)}) for i in range(3)]
    return visible + hidden


def test_equal_like_totals_with_imputed_likes_are_equal_and_the_earlier_influencer_wins():
    earlier = build("earlier_plain", [("street", 100)] + [("modern", 0)] * 5)
    later = build("later_imputed", imputed_hundred())
    assert later.total_likes == later.brand_style_likes == earlier.brand_style_likes == 100.0
    assert later.style_stats["street"]["likes"] == 100.0
    assert [c["influencer_id"] for c in ranking_original(query("brand", style="street")).cards] == [
        earlier.pk,
        later.pk,
    ]


def test_the_similarity_ranking_ties_with_imputed_likes_go_to_the_earlier_influencer():
    earlier = build("earlier_visible", [("street", n) for n in (10, 20, 20, 16, 17, 17)])
    later = build("later_hidden", imputed_hundred())
    for mode in ("brand", "consumer"):
        cards = ranking_similarity(query(mode, style="street")).cards
        assert [c["influencer_id"] for c in cards] == [earlier.pk, later.pk], mode
        assert cards[0]["score"] == cards[1]["score"]


def test_the_original_brand_ranking_counts_an_account_hiding_every_like_at_the_others_mean():
    # visible accounts' street posts average (100 + 300 + 200) / 3 = 200 likes per post
    one = build("one_post", [("street", 100)])
    two = build("two_posts", [("street", 300), ("street", 200)])
    hidden = build("all_hidden", [("street", None)] * 3)
    cards = ranking_original(query("brand", style="street")).cards
    # hidden: 3 posts x 200 = 600 > two_posts 500 > one_post 100 (never 0)
    assert [c["influencer_id"] for c in cards] == [hidden.pk, two.pk, one.pk]
    assert [c["score"] for c in cards] == [600.0, 500.0, 100.0]


# A style posted without likes (review of issue 17) -------------------------------------------


def test_a_brand_account_whose_posts_of_the_style_got_no_likes_is_a_match_not_a_no_match():
    # 3 매니시 posts with 0 likes and 10 street posts with 100 likes: by likes alone its 매니시
    # share is 0, yet it posts 매니시; the result must never say that nobody does.
    zero = build("zero_mannish", [("mannish", 0)] * 3 + [("street", 100)] * 10, size="L")
    alone = ranking_similarity(query("brand", style="mannish", size="L"))
    assert alone.no_match is None and "no_style_match" not in alone.notes
    assert [(c["influencer_id"], c["nearest_style"]) for c in alone.cards] == [(zero.pk, "")]
    # below an account whose 매니시 posts got likes, never dropped to a nearest-style card
    # (three 매니시 posts: enough evidence for a brand ranking, as zero_mannish has)
    liked = build("liked_mannish", [("mannish", 100)] * 3 + [("street", 100)] * 9, size="L")
    result = ranking_similarity(query("brand", style="mannish", size="L"))
    assert result.no_match is None and "no_style_match" not in result.notes
    assert [c["influencer_id"] for c in result.cards] == [liked.pk, zero.pk]
    assert [c["nearest_style"] for c in result.cards] == ["", ""]
    assert all(c["shows_predicted_style"] for c in result.cards)
    # the same with the mixed query (매니시 0.55, street 0.28, modern 0.15)
    mixed = ranking_similarity(mixed_query("brand"))
    assert mixed.no_match is None
    assert zero.pk in [c["influencer_id"] for c in mixed.cards]


def test_a_card_gives_its_reasons_likeliest_style_first_without_zero_lines():
    """Walkthrough: a 톰보이 59 % photo's first card began "0 of 33 posts in 클래식 (0%)", then
    "0 of 33 … 매니시", and only then "8 of 33 posts in 톰보이"."""
    probabilities = np.zeros(len(TAXONOMY_CODES))
    for style, p in (("tomboy", 0.59), ("classic", 0.2), ("mannish", 0.15), ("other", 0.06)):
        probabilities[TAXONOMY_INDEX[style]] = p
    build("tomboy_only", [("tomboy", 100)] * 8 + [("street", 100)] * 25)
    build("classic_too", [("tomboy", 100)] * 2 + [("classic", 100)] * 3 + [("street", 10)] * 5)
    cards = {
        c["handle"]: c
        for c in ranking_similarity(query("brand", probabilities=probabilities)).cards
    }
    assert [line["style"] for line in cards["tomboy_only"]["style_evidence"]] == ["tomboy"]
    assert [line["style"] for line in cards["classic_too"]["style_evidence"]] == [
        "tomboy",
        "classic",
    ]


def test_ranking_the_profiles_reads_no_post_only_the_cards_evidence_does():
    """The profiles are read from their stored rows (influencers and their style shares); posts
    are read only for each card's evidence (whether an account's likes are visible is stored with
    its profile)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build("visible", [("street", 100)] * 3)
    build("hidden", [("street", None)] * 3)
    for mode in ("brand", "consumer"):
        for rank in (ranking_similarity, ranking_original):
            with CaptureQueriesContext(connection) as captured:
                cards = rank(query(mode, style="street")).cards
            assert len(cards) == 2
            profile_reads = [
                q["sql"]
                for q in captured
                if '"influencers_influencer"' in q["sql"].split("WHERE")[0]
            ]
            assert profile_reads, (mode, rank.__name__)
            assert not [sql for sql in profile_reads if "influencers_post" in sql], (
                mode,
                rank.__name__,
            )


# Brand results a brand can act on (issue 25) ---------------------------------------------------


def test_a_brand_ranking_puts_one_viral_post_in_the_style_after_accounts_with_enough_posts():
    """Seen in 70 requests: a #1 with 1 of its 34 posts in the predicted style (one viral post
    made its likes share 99 %)."""
    viral = build("one_viral", [("romantic", 50000)] + [("street", 10)] * 33)
    steady = build("steady", [("romantic", 100)] * 8 + [("street", 100)] * 22)
    cards = ranking_similarity(query("brand")).cards
    assert [c["influencer_id"] for c in cards] == [steady.pk, viral.pk]
    assert [c["enough_evidence"] for c in cards] == [True, False]
    assert cards[1]["score"] > cards[0]["score"]  # its likes alone would have put it first
    assert cards[1]["style_share"] == {
        "style": "romantic",
        "posts": 1,
        "of_posts": 34,
        "share": round(1 / 34, 4),
    }


def test_enough_evidence_needs_both_the_minimum_posts_and_the_minimum_share():
    from recommender.constants import BRAND_MIN_STYLE_POSTS, BRAND_MIN_STYLE_SHARE
    from recommender.selectors.ranking.similarity import enough_style_posts

    at_share = round(BRAND_MIN_STYLE_POSTS / BRAND_MIN_STYLE_SHARE)  # 3 of 30 is exactly 10 %
    assert enough_style_posts(BRAND_MIN_STYLE_POSTS, at_share)
    assert not enough_style_posts(BRAND_MIN_STYLE_POSTS, at_share + 1)  # below the share
    assert not enough_style_posts(BRAND_MIN_STYLE_POSTS - 1, BRAND_MIN_STYLE_POSTS - 1)  # 100 %


def test_below_the_minimum_an_account_still_fills_a_place_nobody_with_enough_takes():
    two = build("two_posts", [("romantic", 900)] * 2)
    cards = ranking_similarity(query("brand")).cards
    assert [(c["influencer_id"], c["enough_evidence"]) for c in cards] == [(two.pk, False)]
    assert cards[0]["style_share"]["posts"] == 2 and cards[0]["shows_predicted_style"]


def test_consumers_are_ranked_by_their_share_of_posts_without_the_brand_minimum():
    viral = build("one_viral", [("romantic", 50000)] + [("street", 10)] * 33)
    steady = build("steady", [("romantic", 100)] * 8 + [("street", 100)] * 22)
    cards = ranking_similarity(query("consumer")).cards
    assert [c["influencer_id"] for c in cards] == [steady.pk, viral.pk]
    assert all(c["enough_evidence"] for c in cards)


def test_the_nearest_style_fill_puts_brands_with_enough_posts_in_that_style_first():
    viral = build("viral_street", [("street", 90000)] + [("resort", 10)] * 20)
    steady = build("steady_street", [("street", 50)] * 5 + [("resort", 50)] * 5)
    # 펑크 95 %, street 5 % (below a query style's 10 %): street is the next guess
    probabilities = style_probabilities("punk", 0.95, "street")
    result = ranking_similarity(query("brand", probabilities=probabilities))
    assert result.no_match is not None and result.nearest_styles[:1] == ["street"]
    street = [c for c in result.cards if c["nearest_style"] == "street"]
    assert [c["influencer_id"] for c in street] == [steady.pk, viral.pk]
    assert [c["enough_evidence"] for c in street] == [True, False]


def test_any_gender_and_any_body_size_rank_every_curated_influencer_without_relaxing():
    female_s = build("female_s", [("romantic", 100)] * 3, gender="F", size="S")
    male_l = build("male_l", [("romantic", 200)] * 3, gender="M", size="L")
    uncurated = build("no_gender_yet", [("romantic", 9000)] * 9, gender="", size="M")
    result = ranking_similarity(query("brand", gender="", size=""))
    assert [c["influencer_id"] for c in result.cards] == [male_l.pk, female_s.pk]
    assert uncurated.pk not in [
        c["influencer_id"] for c in ranking_original(query("brand", gender="", size="")).cards
    ]
    assert "size_relaxed" not in result.notes and not any(c["size_relaxed"] for c in result.cards)
    only_size = ranking_similarity(query("consumer", gender="", size="L")).cards
    assert [c["influencer_id"] for c in only_size[:1]] == [male_l.pk]
    assert [c["size_relaxed"] for c in only_size] == [False, True]  # female_s: another size


def test_an_influencer_staff_have_not_sized_is_never_an_other_size_card():
    build("unsized", [("romantic", 100)] * 3, gender="F", size="")
    result = ranking_similarity(query("consumer", size="L"))
    assert result.cards == [] or all(c["handle"] != "unsized" for c in result.cards)
    assert "unsized" not in [c["handle"] for c in ranking_original(query("brand", size="")).cards]
