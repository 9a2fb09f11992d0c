"""Tables from import files, whatever program wrote them.

CSV (comma, tab or semicolon; RFC 4180 quoting, never guessed), JSON, JSON Lines and .xlsx (first
sheet, header row first), in UTF-8 (with or without a BOM), UTF-16 with a BOM or CP949/EUC-KR.
Every record keeps its row number as a spreadsheet shows it (the header is row 1; a CSV record
whose caption holds line breaks is still one row) and, for CSV, the text line it starts on, as a
text editor shows it (RowNumber). A file that cannot be read as a
table raises ImportFileError, one clear error before anything is written; a record that cannot be
read (a CSV field over the csv module's limit) is a bad row.
"""

import codecs
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from common.errors import ApplicationError

DELIMITERS = (",", "\t", ";")
# Unpacked size of a workbook's parts: a 100,000-row export unpacks to 30 to 40 MB, so this only
# stops zip bombs.
XLSX_MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
# Columns a program adds without a name: pandas' index ("" or "Unnamed: 0" once read back).
_UNNAMED = re.compile(r"unnamed: \d+")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3131-\u318e]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ENCODING_SAMPLE = 200_000  # characters looked at to tell CP949 from another legacy encoding


class ImportFileError(ApplicationError):
    """The whole file is unusable; nothing was written."""


class RowNumber(int):
    """A record's row as a spreadsheet shows it; `.line` is the text line on which it starts;
    `.file` names the file it is in when an import reads several (the pages of one export)."""

    line: int
    file: str

    def __new__(cls, row: int, line: int | None = None, file: str = ""):
        number = super().__new__(cls, row)
        number.line = row if line is None else line
        number.file = file
        return number


@dataclass
class Table:
    """Records as (RowNumber, {lower-case column: value}); values are str, except a workbook's
    date cells (datetime) and JSON values (as parsed)."""

    records: list[tuple[int, dict]] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)
    encoding: str = ""
    # Records with a field past csv.field_size_limit(): each is a bad row, not the whole file's.
    unreadable: list[int] = field(default_factory=list)


def table_read(data: bytes, name: str, *, required: tuple[str, ...]) -> Table:
    """The table in data (CSV, JSON, JSON Lines or .xlsx, found by content)."""
    if _is_zip(data):
        table = _xlsx_table(data, name)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            f"{name} is an old Excel (.xls) workbook: save it as .xlsx or CSV and import again.",
            code="not_tabular",
        )
    else:
        text, encoding = text_decode(data, name)
        stripped = text.lstrip()
        if not stripped:
            raise ImportFileError(f"{name} is empty.", code="empty_file")
        if stripped[0] in "[{":
            table = _json_table(text, name)
        else:
            table = _csv_table(text, name)
        table.encoding = encoding
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ImportFileError(
            f"{name} lacks the required column(s): {', '.join(missing)}.", code="missing_columns"
        )
    return table


def text_decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, name of the encoding read): UTF-8 (BOM or not), UTF-16 with a BOM, or CP949."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ImportFileError(
            f"{name} is UTF-32 text; save it as UTF-8 and import again.", code="wrong_encoding"
        )
    for bom, codec, label in (
        (codecs.BOM_UTF8, "utf-8", "UTF-8 (BOM)"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE (BOM)"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE (BOM)"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), label
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"{name} starts as {label} text but is not (byte {exc.start + len(bom)}); "
                    "save it as UTF-8 and import again.",
                    code="wrong_encoding",
                ) from exc
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if min(even, odd) == 0 and max(even, odd) * 4 >= len(head) // 2:  # UTF-16's ASCII
            raise ImportFileError(
                f"{name} looks like UTF-16 text without a byte order mark; save it as UTF-8 "
                "(or Excel's Unicode text) and import again.",
                code="wrong_encoding",
            )
        raise ImportFileError(
            f"{name} is a binary file, not CSV, JSON or an Excel workbook.", code="not_tabular"
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        text = None
    if text is not None and _mostly_hangul(text):
        return text, "CP949"
    raise ImportFileError(
        f"{name} is neither UTF-8, UTF-16 nor Korean (CP949/EUC-KR) text (byte "
        f"{utf8_error.start} is not UTF-8); save it as UTF-8 and import again.",
        code="wrong_encoding",
    ) from utf8_error


def _mostly_hangul(text: str) -> bool:
    """Another legacy encoding (Latin-1, GBK) can decode as CP949 by chance, rarely into Hangul."""
    sample = text[:_ENCODING_SAMPLE]
    return len(_HANGUL.findall(sample)) * 2 >= len(_NON_ASCII.findall(sample))


def _header(fields: list, name: str) -> list[str]:
    """Lower-case column names; "" for columns to ignore (unnamed ones, such as pandas' index)."""
    names = []
    for value in fields:
        column = "" if value is None else str(value).strip().lower()
        names.append("" if _UNNAMED.fullmatch(column) else column)
    named = [c for c in names if c]
    if len(named) < 2:
        raise ImportFileError(f"{name} is not a table with a header row.", code="not_tabular")
    twice = sorted({c for c in named if named.count(c) > 1})
    if twice:
        raise ImportFileError(
            f"{name} has the column(s) {', '.join(twice)} more than once.", code="not_tabular"
        )
    return names


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- CSV ---------------------------------------------------------------------------------


class _Lines:
    """The text's lines (ending at \\n, \\r\\n or \\r) for csv.reader, counted as they are read."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text, newline=""))
        self.count = 0  # lines handed out
        self.offset = 0  # characters handed out

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        self.offset += len(line)
        return line

    def skip_to(self, offset: int) -> None:
        while self.offset < offset and next(self, None) is not None:
            pass


def _csv_delimiter(text: str) -> str:
    """The delimiter among comma, tab and semicolon that the header line holds most of."""
    for line in io.StringIO(text, newline=""):
        if line.strip():
            counts = {d: line.count(d) for d in DELIMITERS}
            return max(DELIMITERS, key=counts.get)  # ties: the order of DELIMITERS
    return ","


def _csv_table(text: str, name: str) -> Table:
    delimiter = _csv_delimiter(text)
    lines = _Lines(text)
    # RFC 4180: fields in double quotes, a quote inside written twice. Never sniffed: a guess
    # from a sample can take a caption's quote for an escape character and split records.
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    table = Table()
    header: list[str] | None = None
    row = 0  # records read, blank ones too: a spreadsheet shows each as a row
    while True:
        start_line, start_offset = lines.count + 1, lines.offset
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a field over csv.field_size_limit(): this record only
            if header is None:
                raise ImportFileError(
                    f"{name}: the header row cannot be read ({exc}).", code="not_tabular"
                ) from exc
            lines.skip_to(_csv_record_end(text, start_offset, delimiter))
            row += 1
            table.unreadable.append(RowNumber(row, start_line))
            continue
        row += 1
        if all(_blank(f) for f in fields):
            continue  # blank lines, and the empty rows spreadsheets leave at the end
        if header is None:
            header = _header(fields, name)
            columns = [(i, c) for i, c in enumerate(header) if c]
            table.columns = {c for _, c in columns}
            continue
        width = len(fields)
        record = {c: fields[i] if i < width else "" for i, c in columns}
        table.records.append((RowNumber(row, start_line), record))
    if header is None:
        raise ImportFileError(f"{name} is empty.", code="empty_file")
    return table


_CSV_FIELD = {
    d: re.compile(rf'"[^"]*(?:""[^"]*)*(?:"|\Z)[^{re.escape(d)}\r\n]*|[^{re.escape(d)}\r\n]*')
    for d in DELIMITERS
}


def _csv_record_end(text: str, start: int, delimiter: str) -> int:
    """Offset just past the record that starts at start, read as csv.reader reads it."""
    pattern, end = _CSV_FIELD[delimiter], len(text)
    position = start
    while True:
        position = pattern.match(text, position).end()
        if position >= end:
            return end
        if text[position] == delimiter:
            position += 1
        elif text.startswith("\r\n", position):
            return position + 2
        else:
            return position + 1


# --- JSON --------------------------------------------------------------------------------


def json_load(text: str, name: str):
    """json.loads with every failure, nesting too deep for the parser included, as one error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{name} is not valid JSON (line {exc.lineno}: {exc.msg}).", code="invalid_json"
        ) from exc
    except RecursionError as exc:
        raise ImportFileError(
            f"{name} holds JSON nested too deeply to read.", code="invalid_json"
        ) from exc
    except ValueError as exc:  # an integer of more than 4,300 digits, say
        raise ImportFileError(f"{name} is not usable JSON ({exc}).", code="invalid_json") from exc


def _json_table(text: str, name: str) -> Table:
    """A JSON list of objects (numbered from 1), or JSON Lines (numbered by line)."""
    table = Table()
    stripped = text.strip()
    if stripped.startswith("["):
        items = json_load(stripped, name)
        if not isinstance(items, list):
            raise ImportFileError(f"{name} holds no list of records.", code="invalid_json")
        numbered = enumerate(items, start=1)
    else:
        numbered = (
            (n, json_load(line, f"{name}, line {n}"))
            for n, line in enumerate(io.StringIO(text, newline=""), start=1)
            if line.strip()
        )
    for n, item in numbered:
        if not isinstance(item, dict):
            raise ImportFileError(f"{name}: record {n} is not a JSON object.", code="invalid_json")
        record = {str(k).strip().lower(): v for k, v in item.items()}
        table.columns.update(record)
        table.records.append((n, record))
    if not table.records:
        raise ImportFileError(f"{name} holds no records.", code="empty_file")
    return table


# --- Excel workbooks ---------------------------------------------------------------------


def _is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def _xlsx_table(data: bytes, name: str) -> Table:
    """The first sheet of an .xlsx workbook; its first non-blank row is the header."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportFileError(
            f"{name} is a damaged zip file or Excel workbook ({exc}).", code="invalid_xlsx"
        ) from exc
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise ImportFileError(
            f"{name} is a zip file, not an Excel workbook, CSV or JSON.", code="not_tabular"
        )
    if unpacked > XLSX_MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"{name} unpacks to more than {XLSX_MAX_UNPACKED_BYTES // 2**20} MB.",
            code="invalid_xlsx",
        )
    import openpyxl  # only workbooks need it

    table = Table(encoding="xlsx")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # the stored size can be wrong; read to the last row
            header = None
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if all(_blank(v) for v in values):
                    continue
                if header is None:
                    header = _header(list(values), name)
                    columns = [(i, c) for i, c in enumerate(header) if c]
                    table.columns = {c for _, c in columns}
                    continue
                width = len(values)
                table.records.append(
                    (number, {c: _cell(values[i]) if i < width else "" for i, c in columns})
                )
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged part
        raise ImportFileError(
            f"{name} is a damaged Excel workbook ({type(exc).__name__}: {exc}).",
            code="invalid_xlsx",
        ) from exc
    if header is None:
        raise ImportFileError(f"{name} is empty.", code="empty_file")
    return table


def _cell(value):
    """A cell as the readers take it: whole numbers as text, as the CSV of the sheet shows them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float) else value  # text, or a date and time
