"""Account limits, in one place for the sign-up page, admin, the API and the model."""

# Django's own username length; the normalised key column has the same size.
USERNAME_MAX_LENGTH = 150
# Long enough for any passphrase, short enough that a megabyte "password" is never hashed.
PASSWORD_MAX_LENGTH = 128
BRAND_NAME_MAX_LENGTH = 120
# Characters besides letters and digits a username may hold.
USERNAME_EXTRA_CHARACTERS = "._-"
# API tokens a user may hold at once (one per script or device); one more revokes the least
# recently used (accounts/tokens.py).
API_TOKENS_MAX = 20
# A token's "last used" moves at most this often, so API reads do not each write a row.
API_TOKEN_LAST_USED_STEP_SECONDS = 60
