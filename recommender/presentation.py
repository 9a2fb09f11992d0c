"""The words a stored recommendation result says to people (the selectors return codes and data)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from common.styles import style_label
from recommender.selectors.ranking import Note


def ranking_notices(block: dict, *, language: str | None = None) -> list[dict]:
    """What a stored result says about its cards in plain words: [{"code", "text"}], in the given
    language (default: the active one). Nothing that is not a match is left unsaid.

    "Fewer than k" uses the k the result was ranked with (results stored before they carried k:
    the setting's).
    """
    k = block.get("k") or settings.RECOMMENDATION_TOP_K
    with translation.override(language or translation.get_language()):
        notes, no_match = block.get("notes", []), block.get("no_match")
        nearest = block.get("nearest_styles", [])
        out = []
        if no_match:
            out.append(
                (
                    Note.NO_STYLE_MATCH,
                    _(
                        "No influencer in your filters posts %(style)s, the style of your photo: "
                        "none of these cards is a %(style)s match."
                    )
                    % {"style": style_label(no_match["style"])},
                )
            )
        elif Note.FEWER_MATCHES in notes:
            out.append(
                (
                    Note.FEWER_MATCHES,
                    _("Fewer than %(k)d influencers in your filters post your photo's styles.")
                    % {"k": k},
                )
            )
        if Note.SIZE_RELAXED in notes:
            out.append(
                (
                    Note.SIZE_RELAXED,
                    _(
                        "The body-size filter was relaxed: cards marked “other body size” post "
                        "your photo's styles in another body size."
                    ),
                )
            )
        if nearest:
            out.append(
                (
                    Note.NEAREST_STYLE,
                    _(
                        "Cards marked “nearest style” post %(styles)s, the model's next guesses "
                        "for your photo, not its style."
                    )
                    % {"styles": ", ".join(style_label(code) for code in nearest)},
                )
            )
        return [{"code": code, "text": text} for code, text in out]
