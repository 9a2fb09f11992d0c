"""Keyword extraction on long lines: pieces of bounded length, the same keywords (issue 15)."""

import csv

import mecab
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.keywords import MAX_PIECE_CHARS, _tagger, keywords_extract, text_clean, text_pieces


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.sampled_from("가나 다라\n\t ab"), max_size=300),
    size=st.integers(min_value=1, max_value=40),
)
def test_pieces_are_bounded_and_keep_every_character_of_each_line(text, size):
    pieces = list(text_pieces(text, size))
    assert all(0 < len(p) <= size and p.strip() for p in pieces)
    kept = "".join(pieces)
    assert "".join(ch for ch in kept if not ch.isspace()) == "".join(
        ch for ch in text if not ch.isspace()
    )


def test_pieces_are_cut_at_a_space_so_words_stay_whole():
    line = " ".join(["원피스코디"] * 1000)  # 5,999 characters on one line
    pieces = list(text_pieces(line))
    assert len(pieces) > 5 and all(len(p) <= MAX_PIECE_CHARS for p in pieces)
    assert all(w == "원피스코디" for p in pieces for w in p.split())


def test_the_mecab_tagger_gives_what_mecabs_own_pos_gives(shared_data):
    with open(shared_data / "korean-text" / "instagram_posts.csv", encoding="utf-8") as fp:
        texts = [text_clean(row["text"])[1] for row in csv.DictReader(fp)][:300]
    own, ours = mecab.MeCab().pos, _tagger("mecab")
    for text in texts:
        for line in text.splitlines():
            assert ours(line) == own(line)


def test_a_million_character_single_line_gives_the_keywords_of_its_words():
    line = "오늘의 데일리룩 원피스 코디 카페 나들이 봄 " * 40_000  # 1,000,000 characters, one line
    assert len(line) == 1_000_000 and "\n" not in line
    keywords = dict(keywords_extract([line]))
    assert keywords["원피스"] == keywords["카페"] == keywords["코디"] == 40_000
