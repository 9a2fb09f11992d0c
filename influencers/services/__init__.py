"""Catalogue writes: curation, style profiles, keyword summaries, imports and import jobs."""
