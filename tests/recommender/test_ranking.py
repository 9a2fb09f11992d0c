"""Both rankings against hand-built catalogues (no model involved: posts carry their vectors)."""

import numpy as np
import pytest

from influencers.models import Post
from influencers.services.profiles import influencer_style_profile_rebuild
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
    assert result.cards == [] and result.notes == ["fewer_matches"]


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


def test_the_similarity_ranking_uses_the_whole_distribution(catalogue):
    # An imperfect classification: romantic first, resort close behind.
    probabilities = style_probabilities("romantic", 0.55, second="resort")
    result = ranking_similarity(query("consumer", probabilities=probabilities))
    # a (3 romantic, 1 resort) is closest to a romantic-and-resort look; b and c follow
    assert handles(result) == ["a_three_romantic", "b_liked_romantic", "c_resort_poster"]
    scores = [card["score"] for card in result.cards]
    assert scores == sorted(scores, reverse=True)
    similarity = {c["handle"]: c["similarity"] for c in result.cards}
    assert (
        similarity["a_three_romantic"]
        > similarity["c_resort_poster"]
        > similarity["b_liked_romantic"]
    )
    # the same ranking puts the resort poster first when the look is resort
    resort = ranking_similarity(query("consumer", style="resort"))
    assert handles(resort)[0] == "c_resort_poster"


def test_the_similarity_ranking_relaxes_the_size_filter_and_marks_it(catalogue):
    result = ranking_similarity(query("brand", size="S"))
    assert handles(result)[0] == "d_small"
    assert [c["size_relaxed"] for c in result.cards] == [False, True, True]
    assert result.notes == ["fewer_matches", "size_relaxed"]
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
