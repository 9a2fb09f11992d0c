"""Parsing of catalogue import files, one reader per export: crawl tables (CSV, JSON Lines, .xlsx;
columns by the alias table of fields.py), Apify's Instagram Scraper (apify.py), instaloader
downloads (instaloader.py) and Graph API media JSON (readers.py); formats.py finds which."""

from influencers.imports.readers import ImportFileError

__all__ = ["ImportFileError"]
