"""Named values of the recommender."""

from enum import StrEnum

# int8 is served only when its measured validation top-1 is at most this far below fp32's.
INT8_MAX_TOP1_LOSS = 0.01
# The top-k style distribution stored with each request.
STORED_STYLE_DISTRIBUTION = 5
# A request never claimed this long after it was created lost its message (or the broker was
# down): the reconciler sends it again (a claim makes a duplicate harmless).
PENDING_GRACE_SECONDS = 30
# History lists show each upload at 64 CSS pixels: a derivative this size (2x for sharp screens)
# instead of the full upload.
HISTORY_THUMBNAIL_PIXELS = 128
# Brand mode (the similarity ranking): an influencer's posts in the query's styles are enough
# evidence to be ranked by the likes they got when they are at least this many and at least this
# share of the influencer's classified posts; influencers below come after every one above, so one
# viral post among 34 never puts an account first (docs/ranking.md).
BRAND_MIN_STYLE_POSTS = 3
BRAND_MIN_STYLE_SHARE = 0.10


class RefusalCode(StrEnum):
    """Why a recommendation request is refused before it is stored (ApplicationError codes)."""

    INVALID_MODE = "invalid_mode"
    INVALID_RANKING = "invalid_ranking"
    INVALID_FILTERS = "invalid_filters"  # a gender or body size outside the choices
