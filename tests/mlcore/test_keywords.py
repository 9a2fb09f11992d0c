import csv

import pytest

from mlcore.keywords import (
    MAX_TEXT_CHARS,
    is_sponsored,
    keywords_extract,
    sponsored_share,
    text_clean,
)
from mlcore.wordcloud_render import drawn_words, missing_glyphs, wordcloud_png


@pytest.fixture
def instagram_texts(shared_data) -> list[str]:
    path = shared_data / "korean-text" / "instagram_posts.csv"
    with open(path, encoding="utf-8") as fp:
        return [row["text"] for row in csv.DictReader(fp)]


def test_hashtags_are_kept_whole_and_mentions_urls_emojis_numbers_dropped():
    hashtags, rest = text_clean("오늘의 #데일리룩 @friend_01 https://x.co/abc 😍😍 2024년 원피스")
    assert hashtags == ["데일리룩"]
    assert "@" not in rest and "http" not in rest and "😍" not in rest and "2024" not in rest
    assert "원피스" in rest


def test_keywords_from_real_instagram_texts(instagram_texts):
    keywords = dict(keywords_extract(instagram_texts))
    # hashtags come back whole, as they were written
    assert "데일리그램" in keywords and "일상스타그램" in keywords
    # stopwords are gone
    for word in ("협찬", "광고", "팔로우", "좋아요", "오늘", "일상", "소통"):
        assert word not in keywords
    # known nouns of the texts are found
    assert keywords["사랑"] > 50 and "행복" in keywords
    # no emoji, no mention and no one-character token survives
    assert all(len(w) >= 2 and not w.startswith("@") for w in keywords)
    assert not any(ord(ch) > 0xFFFF for w in keywords for ch in w)


def test_staff_stopwords_are_removed_too(instagram_texts):
    keywords = dict(keywords_extract(instagram_texts, stopwords={"사랑"}))
    assert "사랑" not in keywords


@pytest.mark.parametrize("texts", [[], [""], ["😍🔥✨💕"], ["#1 #2 #3"], ["@a @b"]])
def test_inputs_without_words_give_no_keywords(texts):
    assert keywords_extract(texts) == []


def test_hashtag_only_texts_give_the_hashtags():
    assert keywords_extract(["#원피스 #원피스코디", "#원피스"]) == [
        ("원피스", 2),
        ("원피스코디", 1),
    ]


# Bounded time, held by pytest-timeout rather than a timing assertion: measured 6 s on a quiet
# 2-core machine and 15-33 s with both cores busy (load average 9-11); four times the worst.
@pytest.mark.timeout(120)
def test_five_megabytes_of_text_finish_in_bounded_time():
    text = ("데일리룩 원피스 코디 카페 나들이 " * 200 + "\n") * 1000  # about 5 MB in UTF-8
    assert len(text.encode()) > 5_000_000
    keywords = dict(keywords_extract([text]))
    # cut at MAX_TEXT_CHARS (that bounds the time), and every noun before the cut counted
    # (데일리 + 룩, written together, counted as the one compound 데일리룩)
    kept = text[:MAX_TEXT_CHARS]
    assert len(kept) < len(text)
    words = ("나들이", "데일리룩", "원피스", "카페", "코디")
    assert keywords == {word: kept.count(word) for word in words}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("새로 나온 원피스 #협찬", True),
        ("#광고 #데일리", True),
        ("Paid partnership with x", True),
        ("제품을 제공받아 작성했어요", True),
        ("@acme_official 감사합니다", True),
        ("친구 @minji 랑 카페", False),
        ("#협찬아님 그냥 샀어요", False),
    ],
)
def test_sponsored_posts_are_recognised(text, expected):
    assert is_sponsored(text) is expected


def test_sponsored_share_is_the_fraction_of_sponsored_posts():
    assert sponsored_share(["#협찬", "그냥", "#광고", "일상"]) == 0.5
    assert sponsored_share([]) == 0.0


def test_the_bundled_font_has_a_glyph_for_every_character_drawn(instagram_texts):
    keywords = keywords_extract(instagram_texts, limit=300)
    words = drawn_words(keywords)
    assert len(words) > 250
    assert missing_glyphs(words) == set()
    assert any("\uac00" <= ch <= "\ud7a3" for w in words for ch in w)  # Hangul is drawn


def test_the_word_cloud_is_a_png_and_hangul_renders(instagram_texts):
    png = wordcloud_png(keywords_extract(instagram_texts, limit=60))
    assert png.startswith(b"\x89PNG")
    from io import BytesIO

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(BytesIO(png)).convert("L"))
    # ink on the canvas: glyphs were drawn rather than empty boxes
    assert (pixels < 200).sum() > 5000


@pytest.mark.skipif(not __import__("shutil").which("java"), reason="konlpy's taggers need Java")
@pytest.mark.skipif(
    not __import__("importlib.util").util.find_spec("konlpy"),
    reason="konlpy is optional (requirements/konlpy.txt)",
)
def test_konlpys_okt_is_selectable_where_java_is_present(instagram_texts):
    keywords = dict(keywords_extract(instagram_texts[:200], tagger="okt"))
    assert keywords and "협찬" not in keywords
    assert all(len(w) >= 2 for w in keywords)


def test_a_konlpy_tagger_without_konlpy_installed_is_refused_with_the_install_command():
    """konlpy is optional (requirements/konlpy.txt): a fresh interpreter where it cannot be
    imported stands for an installation without it."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys; sys.modules['konlpy'] = None\n"
        "from mlcore.keywords import TaggerUnavailable, keywords_extract\n"
        "try:\n"
        "    keywords_extract(['오늘의 코디 데일리룩'], tagger='okt')\n"
        "except TaggerUnavailable as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "konlpy is not installed (pip install -r requirements/konlpy.txt; it needs Java)"
    )


def test_an_unknown_tagger_is_refused_clearly():
    from mlcore.keywords import TaggerUnavailable

    with pytest.raises(TaggerUnavailable):
        keywords_extract(["원피스 코디"], tagger="nonexistent")


def test_the_sponsorship_disclosure_is_not_a_keyword():
    """Walkthrough: #제품 and #작성 (from "제품을 제공받아 작성한 글입니다") topped word clouds."""
    from mlcore.keywords import stopwords_default

    assert {"제품", "작성", "제공", "협찬"} <= stopwords_default()
    assert not any(word.startswith("#") for word in stopwords_default())
