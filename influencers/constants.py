"""Named values of the catalogue: limits and permissions shared by models, imports, forms, admin
and the API (docs/limits.md lists the limits per field)."""

HANDLE_MAX_LENGTH = 64  # the column; a handle as Instagram allows it is shorter:
INSTAGRAM_HANDLE_MAX_LENGTH = 30  # Instagram's own limit for a user name (imports check it)
# What Instagram allows in a user name; the model, imports and admin check it, and URLs with any
# other character (a slash, a NUL byte) never reach a view.
HANDLE_CHARACTERS = r"[A-Za-z0-9._]"
HANDLE_PATTERN = rf"{HANDLE_CHARACTERS}{{1,{INSTAGRAM_HANDLE_MAX_LENGTH}}}"
SEARCH_MAX_LENGTH = 100
# Words of one search: each is one more LIKE per caption, so more is refused (not cut short).
SEARCH_MAX_WORDS = 8
# The most words one influencer's captions are found by (the most frequent kept): bounds the
# full-text index of an account however much it posts.
SEARCH_TOKENS_MAX = 20_000
DISPLAY_NAME_MAX_LENGTH = 120
CLOTHING_SIZE_MAX_LENGTH = 16
HEIGHT_CM_MIN, HEIGHT_CM_MAX = 80, 250
# Instagram's own limits are 150 for a bio and 2,200 for a caption; other sources (the prototype's
# crawl, other tools) run longer, so keep room, while refusing longer text bounds the work one row
# can cause (sponsor check, keyword summary).
BIO_MAX_LENGTH = 1000
CAPTION_MAX_LENGTH = 10_000
STAFF_NOTES_MAX_LENGTH = 5000
POST_ID_MAX_LENGTH = 64
# Images of one post (a carousel): Instagram's own limit is 20; more is a bad row.
POST_IMAGES_MAX = 20
STOPWORD_MAX_LENGTH = 64

# PositiveIntegerField's range on every database (PostgreSQL's integer): larger is a bad value.
FOLLOWERS_MAX = 2_147_483_647
LIKES_MAX = FOLLOWERS_MAX

# Keyword summaries keep this many keywords per influencer (the word cloud draws from more).
TOP_KEYWORDS = 30
WORDCLOUD_WORDS = 80

# Each file an import is started with from admin or the API (the CLI reads local files as they are).
IMPORT_FILE_MAX_BYTES = 512 * 1024 * 1024

# Starting an import or reading its report, on every path (admin pages, API).
IMPORT_PERMISSION = "influencers.add_importjob"
# Deactivated influencers and their posts are shown only to staff holding this (pages and API).
VIEW_INACTIVE_PERMISSION = "influencers.view_influencer"

# Like totals of a style profile are exact sums (math.fsum) rounded to this many decimals, so
# equal totals compare equal and the tie rule (earlier influencer first) decides, not float noise.
PROFILE_LIKES_DECIMALS = 3

# The style-over-time table: the last this many months with classified posts...
TIMELINE_MONTHS = 12
# ...and a column for each of this many styles (the rest in one column), so it fits a phone.
TIMELINE_COLUMNS = 3

# Post images keep a small copy for classification (influencers/services/derivatives.py): the
# central square of the photo at the short side the style models resize to (mlcore's default).
CLASSIFICATION_DERIVATIVE_SIDE = 256
CLASSIFICATION_DERIVATIVE_PREFIX = "derivatives/"

# A refresh run keeps the errors of this many accounts (the rest are on each influencer).
REFRESH_RUN_ERRORS = 200
# Handles staff may start tracking at once (admin, command line).
TRACK_HANDLES_MAX = 500
# Starting to track handles from admin: it creates influencers.
TRACK_PERMISSION = "influencers.add_influencer"
# Removal requests from account holders (influencers/removal_models.py).
REMOVAL_REASON_MAX_LENGTH = 2000
# The reason an import reports for a row it skipped because its handle asked to be removed.
SUPPRESSED_REASON = "removal_requested"
# The influencer list's filters (influencers/filters.py): "posted within N days" up to ten years;
# engagement in percent (likes per post over followers can pass 100 % on a small account).
POSTED_WITHIN_DAYS_MAX = 3650
ENGAGEMENT_PERCENT_MAX = 1_000_000

# Saved searches of the influencer list, per team (a brand member's) or per consumer
# (influencers/services/saved_searches.py).
SAVED_SEARCH_NAME_MAX_LENGTH = 100
SAVED_SEARCH_QUERY_MAX_LENGTH = 2000
SAVED_SEARCHES_MAX = 50
# A post's Instagram address as normalised (https://www.instagram.com/p/<code>/ is ~50).
PERMALINK_MAX_LENGTH = 200
# Each influencer keeps the counts of its most frequent words (Influencer.word_counts); their sum
# over the catalogue is the background its keywords are weighed against.
WORD_COUNTS_KEPT = 300
