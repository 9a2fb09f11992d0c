"""The codes a ranking result carries in `notes`; recommender/presentation.py words them."""


class Note:
    FEWER_MATCHES = "fewer_matches"  # fewer than k influencers in the filters post the styles
    SIZE_RELAXED = "size_relaxed"  # cards from other body sizes fill the rest (marked)
    NO_STYLE_MATCH = "no_style_match"  # nobody in the filters posts the predicted style
    NEAREST_STYLE = "nearest_style"  # cards of the model's next guess fill the rest (marked)


def no_match_block(*, style: str, relaxed_filter: str = "", nearest_styles=()) -> dict:
    """What a result stores when nobody in the filters posts the predicted style."""
    return {
        "style": style,
        "relaxed_filter": relaxed_filter,
        "nearest_styles": list(nearest_styles),
    }
