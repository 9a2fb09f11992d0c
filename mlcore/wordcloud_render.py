"""Word-cloud PNGs drawn with NanumGothic (mlcore.fonts, shipped with its licence)."""

import io
from functools import lru_cache

from mlcore.fonts import korean_font_path


@lru_cache(maxsize=1)
def _font_codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(korean_font_path(), lazy=True)
    return frozenset(font.getBestCmap())


def missing_glyphs(words) -> set[str]:
    """Characters of the words the font cannot draw (an empty set means every glyph exists)."""
    cmap = _font_codepoints()
    return {ch for word in words for ch in word if not ch.isspace() and ord(ch) not in cmap}


def wordcloud_png(
    keywords: list[tuple[str, int]], *, width: int = 640, height: int = 360, seed: int = 0
) -> bytes:
    """Render keywords (with counts) to PNG bytes; words the font cannot draw are left out."""
    from wordcloud import WordCloud

    counts = dict(keywords)
    drawable = {w: counts[w] for w in drawn_words(keywords)}
    if not drawable:
        raise ValueError("no drawable keywords")
    # Lay words out on a half-size canvas and draw at twice the scale: the layout search grows
    # with canvas area, the picture keeps its full size.
    cloud = WordCloud(
        font_path=korean_font_path(),
        width=width // 2,
        height=height // 2,
        scale=2,
        background_color="white",
        random_state=seed,
        prefer_horizontal=0.9,
        max_words=80,
        colormap="viridis",
    ).generate_from_frequencies(drawable)
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG")
    return buffer.getvalue()


def drawn_words(keywords: list[tuple[str, int]]) -> list[str]:
    """The words wordcloud_png draws, for the glyph-coverage check."""
    return [w for w, _ in keywords if not missing_glyphs([w])]
