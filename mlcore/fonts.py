"""The Hangul font of word clouds and confusion matrices: NanumGothic, shipped in
mlcore/resources/fonts/ with its licence (SIL OFL 1.1), so nothing is looked up in another
package's folder at run time."""

from pathlib import Path

KOREAN_FONT = Path(__file__).parent / "resources" / "fonts" / "NanumGothic.ttf"


def korean_font_path() -> str:
    if not KOREAN_FONT.exists():
        raise FileNotFoundError(f"NanumGothic missing from {KOREAN_FONT.parent}")
    return str(KOREAN_FONT)
