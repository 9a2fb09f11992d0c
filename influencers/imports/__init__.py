"""Catalogue imports from crawl exports and Instagram Graph API media JSON."""

from influencers.imports.readers import ImportFileError
from influencers.imports.service import ImportReport, posts_import

__all__ = ["ImportFileError", "ImportReport", "posts_import"]
