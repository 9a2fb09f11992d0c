"""Team limits, in one place for the pages, the API, admin and the services (docs/teams.md)."""

from accounts.constants import BRAND_NAME_MAX_LENGTH

TEAM_NAME_MAX_LENGTH = BRAND_NAME_MAX_LENGTH
# What one activity row says about its object ("@handle · campaign name"), cut to this.
ACTIVITY_SUBJECT_MAX_LENGTH = 300
# Rows the team page shows, newest first (older ones stay until the retention prunes them).
ACTIVITY_PAGE_ROWS = 100
# Open invitations one team may hold at once: an owner's typo cannot fill the table.
OPEN_INVITATIONS_MAX = 50
# Members one team may have.
TEAM_MEMBERS_MAX = 50
# The salt of invitation tokens: a token signed for anything else never opens an invitation.
INVITATION_TOKEN_SALT = "stylematch.teams.invitation"
