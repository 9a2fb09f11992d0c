"""Which export a posts file is, found from its content (never its name), and its reader.

FORMAT_SIGNATURES is read top to bottom: the first signature whose names are all in the file's
evidence wins. Evidence is, by what the file is:

- `archive`: a folder or a zip that is no workbook: the names of its files (a signature name
  matches the end of one);
- `json`: a JSON object: its keys;
- `columns`: a table (CSV, JSON Lines, a JSON list, .xlsx): its header, or the first record's keys.

Names are compared as the alias table compares headers (fields.header_normalize).
"""

import csv
import io
import json
import zipfile
from pathlib import Path

from influencers.imports.apify import apify_posts_parse
from influencers.imports.fields import header_normalize
from influencers.imports.instaloader import ARCHIVE_SIGNATURE, instaloader_posts_parse
from influencers.imports.readers import crawl_posts_parse, graph_media_parse
from influencers.imports.tabular import ImportFileError, text_decode
from influencers.models import ImportFormat

FORMAT_SIGNATURES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (ImportFormat.INSTALOADER, "archive", (ARCHIVE_SIGNATURE,)),
    (ImportFormat.GRAPH, "json", ("business_discovery",)),
    (ImportFormat.GRAPH, "json", ("data",)),
    (ImportFormat.APIFY, "columns", ("ownerUsername",)),
    (ImportFormat.APIFY, "columns", ("shortCode", "displayUrl")),
    (ImportFormat.GRAPH, "columns", ("id", "media_type")),  # a list of Graph API media
    (ImportFormat.CRAWL, "columns", ()),  # any other table: its headers by the alias table
)
# format -> its reader: reader(data or folder, name, *, account, mapping, more_pages) -> Parsed
POSTS_READERS = {
    ImportFormat.CRAWL: crawl_posts_parse,
    ImportFormat.GRAPH: graph_media_parse,
    ImportFormat.APIFY: apify_posts_parse,
    ImportFormat.INSTALOADER: instaloader_posts_parse,
}
_XLSX_MEMBER = "xl/workbook.xml"


def import_format_detect(posts, name: str) -> str:
    """The format of a posts file (bytes) or folder (Path); ImportFileError when none reads it."""
    kind, evidence = _evidence(posts, name)
    for format, where, names in FORMAT_SIGNATURES:
        if where != kind:
            continue
        if kind == "archive":
            if all(any(e.endswith(n) for e in evidence) for n in names):
                return format
        elif all(header_normalize(n) in evidence for n in names):
            return format
    if kind == "archive":
        raise ImportFileError(
            f"{name} is a folder or zip file without instaloader's <date>_UTC.json.xz files: "
            "give a posts table (CSV, JSON, .xlsx) or an instaloader download.",
            code="not_tabular",
        )
    return ImportFormat.CRAWL  # a JSON object of no known shape: the crawl reader explains


def _evidence(posts, name: str) -> tuple[str, set[str]]:
    if isinstance(posts, Path):
        if not posts.is_dir():
            raise ImportFileError(f"{name} is not a folder.", code="not_tabular")
        return "archive", {p.name.lower() for p in posts.rglob("*")}
    if posts.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(posts)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return "columns", set()  # the table reader says what is wrong with it
        if _XLSX_MEMBER in names:
            return "columns", _workbook_header(posts)
        return "archive", {n.lower() for n in names}
    try:
        text, _ = text_decode(posts, name)
    except ImportFileError:
        return "columns", set()  # read again by the table reader, which says why it cannot
    stripped = text.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        return _json_evidence(stripped)
    for row in csv.reader(io.StringIO(stripped[:65536])):
        if any(c.strip() for c in row):
            return "columns", {header_normalize(c) for c in row}
    return "columns", set()


def _json_evidence(text: str) -> tuple[str, set[str]]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        first = text.split("\n", 1)[0]  # JSON Lines: the first record
        try:
            value = json.loads(first)
        except (ValueError, RecursionError):
            return "columns", set()
        return "columns", _keys(value)
    if isinstance(value, dict):
        return "json", _keys(value)
    first = next((v for v in value if isinstance(v, dict)), {}) if isinstance(value, list) else {}
    return "columns", _keys(first)


def _keys(value) -> set[str]:
    return {header_normalize(k) for k in value} if isinstance(value, dict) else set()


def _workbook_header(data: bytes) -> set[str]:
    import openpyxl  # only workbooks need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                if any(v not in (None, "") for v in values):
                    return {header_normalize(v) for v in values if v is not None}
        finally:
            workbook.close()
    except Exception:  # a damaged workbook: the table reader says what is wrong with it
        return set()
    return set()
