"""The 23 K-Fashion styles in one fixed order, plus 기타 for images whose label has no style."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Style:
    code: str
    korean: str
    english: str


STYLES: tuple[Style, ...] = (
    Style("classic", "클래식", "Classic"),
    Style("preppy", "프레피", "Preppy"),
    Style("mannish", "매니시", "Mannish"),
    Style("tomboy", "톰보이", "Tomboy"),
    Style("feminine", "페미닌", "Feminine"),
    Style("romantic", "로맨틱", "Romantic"),
    Style("sexy", "섹시", "Sexy"),
    Style("hippie", "히피", "Hippie"),
    Style("western", "웨스턴", "Western"),
    Style("oriental", "오리엔탈", "Oriental"),
    Style("modern", "모던", "Modern"),
    Style("sophisticated", "소피스트케이티드", "Sophisticated"),
    Style("avantgarde", "아방가르드", "Avant-garde"),
    Style("country", "컨트리", "Country"),
    Style("resort", "리조트", "Resort"),
    Style("genderless", "젠더리스", "Genderless"),
    Style("sporty", "스포티", "Sporty"),
    Style("retro", "레트로", "Retro"),
    Style("kitsch", "키치/키덜트", "Kitsch/Kidult"),
    Style("hiphop", "힙합", "Hip-hop"),
    Style("punk", "펑크", "Punk"),
    Style("military", "밀리터리", "Military"),
    Style("street", "스트리트", "Street"),
)
OTHER = Style("other", "기타", "Other")
# Every label a probability vector can carry, in vector order: the 23 styles, then 기타.
TAXONOMY: tuple[Style, ...] = (*STYLES, OTHER)
STYLE_CODES: tuple[str, ...] = tuple(s.code for s in STYLES)
TAXONOMY_CODES: tuple[str, ...] = tuple(s.code for s in TAXONOMY)
TAXONOMY_INDEX: dict[str, int] = {code: i for i, code in enumerate(TAXONOMY_CODES)}
BY_CODE: dict[str, Style] = {s.code: s for s in TAXONOMY}

_LABEL_TO_CODE = {s.korean: s.code for s in TAXONOMY}
_LABEL_TO_CODE.update({s.code: s.code for s in TAXONOMY})
_LABEL_TO_CODE.update({s.english.lower(): s.code for s in TAXONOMY})
# AI Hub writes 키치/키덜트 as 키치 in its labels.
_LABEL_TO_CODE.update({"키치": "kitsch", "키덜트": "kitsch"})


def style_code_from_label(label: str | None) -> str | None:
    """Map a Korean, English or code label to a style code; None when it names no style."""
    if not label:
        return None
    return _LABEL_TO_CODE.get(label.strip()) or _LABEL_TO_CODE.get(label.strip().lower())


def without_other(vectors) -> np.ndarray:
    """A float64 copy of taxonomy vector(s) with 기타 at 0: it never counts toward a style."""
    copy = np.array(vectors, dtype=np.float64)
    copy[..., TAXONOMY_INDEX[OTHER.code]] = 0.0
    return copy
