"""Catalogue limits and permissions, in one place for admin, the API, imports and the model.

docs/limits.md lists the limits per field.
"""

HANDLE_MAX_LENGTH = 64
DISPLAY_NAME_MAX_LENGTH = 120
CLOTHING_SIZE_MAX_LENGTH = 16
# Instagram's own limits: 150 for a bio, 2,200 for a caption; a little room for other sources.
BIO_MAX_LENGTH = 1000
CAPTION_MAX_LENGTH = 2200
STAFF_NOTES_MAX_LENGTH = 5000
POST_ID_MAX_LENGTH = 64
STOPWORD_MAX_LENGTH = 64

# Starting an import or reading its report, on every path (admin pages, API).
IMPORT_PERMISSION = "influencers.add_importjob"
