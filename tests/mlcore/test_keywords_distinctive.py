"""Keywords that tell influencers apart: compound nouns kept whole, and each influencer's words
weighed against the catalogue's (log-odds with an informative Dirichlet prior)."""

import pytest

from mlcore.keywords import _tagger, keywords_distinctive, keywords_extract, nouns_joined


@pytest.mark.parametrize(
    "text, expected",
    [
        ("캠핑장에서 하루", ["캠핑장", "하루"]),
        ("젠더리스 룩", ["젠더리스", "룩"]),
        ("연남동 카페", ["연남동", "카페"]),  # a space keeps two words apart
        ("오늘의 여름휴가 코디", ["오늘", "여름휴가", "코디"]),
    ],
)
def test_nouns_written_together_stay_one_word(text, expected):
    assert nouns_joined(text, _tagger("mecab")(text)) == expected


def test_no_half_of_a_compound_survives_as_a_keyword():
    words = dict(keywords_extract(["캠핑장에서 젠더리스 코디", "주말 캠핑장 젠더리스"]))
    assert words["캠핑장"] == 2 and words["젠더리스"] == 2
    assert "핑장" not in words and "리스" not in words


def test_a_word_every_influencer_uses_ranks_below_one_only_this_influencer_uses():
    mine = {"데일리룩": 40, "캠핑장": 8, "코디": 30}
    others = {"데일리룩": 400, "코디": 300, "원피스": 100, "카페": 90}
    catalogue = {w: mine.get(w, 0) + others.get(w, 0) for w in set(mine) | set(others)}
    ranked = [word for word, _z in keywords_distinctive(mine, catalogue)]
    assert ranked[0] == "캠핑장"
    # By count 데일리룩 would lead; weighed against the catalogue, it is not distinctive here.
    assert "데일리룩" not in ranked[:1]


def test_a_catalogue_of_one_influencer_has_nothing_to_tell_apart():
    counts = {"원피스": 3}
    assert keywords_distinctive(counts, counts) == []
    assert keywords_distinctive({}, {"a": 1}) == []


def test_scores_are_symmetric_between_two_influencers_with_swapped_counts():
    a, b = {"x": 10, "y": 2}, {"x": 2, "y": 10}
    catalogue = {"x": 12, "y": 12}
    score_a = dict(keywords_distinctive(a, catalogue))
    score_b = dict(keywords_distinctive(b, catalogue))
    assert set(score_a) == {"x"} and set(score_b) == {"y"}
    assert score_a["x"] == pytest.approx(score_b["y"])
