"""Named values of the catalogue: limits shared by models, imports, forms and the API."""

# Keyword summaries keep this many keywords per influencer (the word cloud draws from more).
TOP_KEYWORDS = 30
WORDCLOUD_WORDS = 80

# PositiveIntegerField's range on every database (PostgreSQL's integer): larger is a bad value.
FOLLOWERS_MAX = 2_147_483_647
