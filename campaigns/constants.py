"""Campaign limits, in one place for the pages, the API, admin and the services.

docs/limits.md lists them per field.
"""

CAMPAIGN_NAME_MAX_LENGTH = 120
CAMPAIGN_BRIEF_MAX_LENGTH = 4000
# One note, typed when shortlisting or with a stage change.
STAGE_NOTE_MAX_LENGTH = 2000
# An entry's notes, all its notes together: cycling stages cannot grow them past this.
SHORTLIST_NOTES_MAX_LENGTH = 10000
# Stage changes kept per entry (each may carry a note): a real campaign needs a handful.
SHORTLIST_HISTORY_MAX = 100
SAVED_NOTE_MAX_LENGTH = 255
