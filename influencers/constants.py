"""Named values of the catalogue: limits shared by models, imports, forms and the API."""

# PositiveIntegerField's range on every database (PostgreSQL's integer): larger is a bad value.
FOLLOWERS_MAX = 2_147_483_647
LIKES_MAX = FOLLOWERS_MAX

# Field lengths and ranges the import checks before anything reaches the database.
HANDLE_MAX_LENGTH = 30  # Instagram's own limit for a user name
POST_ID_MAX_LENGTH = 64
DISPLAY_NAME_MAX_LENGTH = 120
HEIGHT_CM_MIN, HEIGHT_CM_MAX = 80, 250
# Instagram allows 2,200 characters per caption; a longer text is not a caption as it was posted,
# and refusing it bounds the work one row can cause (sponsor check, keyword summary).
CAPTION_MAX_CHARS = 10_000
