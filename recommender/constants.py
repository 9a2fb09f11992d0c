"""Named values of the recommender."""

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
