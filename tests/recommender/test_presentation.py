"""The words of a stored result (recommender/presentation.py): the selectors give codes."""

import pytest

from recommender.presentation import ranking_notices
from recommender.selectors.ranking import Note, ranking_similarity
from tests.recommender.test_ranking import build, query

pytestmark = pytest.mark.django_db


def test_notices_use_the_k_the_result_was_ranked_with_not_todays_setting(settings):
    build("one_street", [("street", 100)] * 3)
    block = ranking_similarity(query("consumer", style="street", k=2)).as_dict()
    settings.RECOMMENDATION_TOP_K = 5  # changed after the result was stored
    (notice,) = ranking_notices(block, language="en")
    assert notice["code"] == "fewer_matches" and "Fewer than 2 " in notice["text"]
    # a result stored before results carried k: today's setting
    old = {key: value for key, value in block.items() if key != "k"}
    assert "Fewer than 5 " in ranking_notices(old, language="en")[0]["text"]


def test_every_note_code_a_ranking_stores_has_words_in_korean_and_english():
    block = {
        "k": 3,
        "notes": [Note.FEWER_MATCHES, Note.SIZE_RELAXED, Note.NEAREST_STYLE],
        "no_match": None,
        "nearest_styles": ["street"],
    }
    for language in ("ko", "en"):
        notices = ranking_notices(block, language=language)
        assert [n["code"] for n in notices] == [
            Note.FEWER_MATCHES,
            Note.SIZE_RELAXED,
            Note.NEAREST_STYLE,
        ]
        assert all(n["text"] for n in notices)
    korean = ranking_notices(block, language="ko")
    assert "스트리트" in korean[2]["text"]
