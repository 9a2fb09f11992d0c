"""The Instagram Graph API connector: HTTP calls, usage headers and error codes (no database)."""
