"""Parsing of catalogue import files: crawl exports (CSV, JSON Lines) and Graph API media JSON."""

from influencers.imports.readers import ImportFileError

__all__ = ["ImportFileError"]
