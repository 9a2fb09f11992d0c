"""Values as crawlers, spreadsheets and Korean Excel write them: dates and times, counts, texts.

Each parser takes a cell (text, or a number or datetime from JSON or a workbook) and returns the
value, or raises ValueError with the reason a person can act on.
"""

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop

# A date or a count is never longer: longer text is refused before any pattern looks at it.
MAX_VALUE_CHARS = 64

_UNIX_SECONDS = re.compile(r"\d{9,11}(\.\d+)?")
_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
# 2023-01-04 8:54:58 · 2023.01.04 8:54 · 2023. 1. 4. 오후 8:54:58 · 2023년 1월 4일 오후 8:54
_SPREADSHEET_TIME = re.compile(
    r"(?P<year>\d{4})\s*(?:[-./]|년)\s*(?P<month>\d{1,2})\s*(?:[-./]|월)\s*(?P<day>\d{1,2})"
    r"\s*[.일]?"
    r"(?:(?:\s+|T)(?P<half>오전|오후|AM|PM)?\s*"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
    r"(?:\s*(?P<half_after>AM|PM))?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_AFTERNOON = {"오후", "pm"}
# 1,234 · 1234 · 526.0 · 1.2만 · 3.4천 · 1.2K · 1.5M (a minus sign is left to the caller)
_COUNT = re.compile(
    r"(?P<sign>-)?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?\s*(?P<unit>[천만억kmb])?",
    re.IGNORECASE,
)
_UNITS = {
    "천": 1_000,
    "만": 10_000,
    "억": 100_000_000,
    "k": 1_000,
    "m": 1_000_000,
    "b": 1_000_000_000,
}


def cell_text(value) -> str:
    """A cell as text; a JSON list or object stays unread (str() of a deep one recurses)."""
    if isinstance(value, dict | list):
        return "(a JSON list or object)"
    return "" if value is None else str(value)


def timestamp_parse(value) -> dt.datetime | None:
    """A posting time; None when empty. Times without a zone are in settings.TIME_ZONE."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else timezone.make_aware(value)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime(value.year, value.month, value.day))
    text = cell_text(value).strip()
    if not text:
        return None
    if len(text) > MAX_VALUE_CHARS:
        raise ValueError(gettext_noop("too long"))
    if _UNIX_SECONDS.fullmatch(text):
        return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
    try:
        iso = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text.replace("Z", "+00:00"))
        parsed = dt.datetime.fromisoformat(iso)
    except ValueError:
        parsed = _spreadsheet_time(text)
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _spreadsheet_time(text: str) -> dt.datetime:
    match = _SPREADSHEET_TIME.fullmatch(text)
    if not match:
        raise ValueError(gettext_noop("unknown format"))
    part = match.groupdict()
    hour = int(part["hour"] or 0)
    half = part["half"] or part["half_after"]
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(gettext_noop("hour out of range for 오전/오후 (AM/PM)"))
        hour = hour % 12 + (12 if half.lower() in _AFTERNOON else 0)
    parsed = dt.datetime(
        int(part["year"]),
        int(part["month"]),
        int(part["day"]),
        hour,
        int(part["minute"] or 0),
        int(part["second"] or 0),
        int((part["fraction"] or "0").ljust(6, "0")),
    )
    if part["zone"]:
        zone = part["zone"].upper().replace("Z", "+00:00")
        zone = zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
        parsed = dt.datetime.fromisoformat(f"{parsed.isoformat()}{zone}")
    return parsed


def count_parse(value) -> int:
    """A whole count, as 1234, 1,234, 526.0, 1.2만, 3.4천, 1.2K or 1.5M (rounded to a whole one)."""
    if isinstance(value, bool):
        raise ValueError(gettext_noop("not a number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(gettext_noop("not a whole number"))
        return int(value)
    text = cell_text(value).strip()
    match = _COUNT.fullmatch(text) if len(text) <= MAX_VALUE_CHARS else None
    if not match:
        raise ValueError(gettext_noop("not a number"))
    number = Decimal(f"{match['whole'].replace(',', '')}.{match['fraction'] or 0}")
    unit = match["unit"]
    if unit:
        number = (number * _UNITS[unit.lower()]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    elif number != number.to_integral_value():
        raise ValueError(gettext_noop("not a whole number"))
    return -int(number) if match["sign"] else int(number)


def line_breaks_normalized(text: str) -> str:
    """The text with every line break as `\\n`. A workbook's XML cannot keep `\\r\\n` (its parser
    reads it as `\\n`) while a CSV keeps it: one caption must import the same from either file."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_unescape(text: str) -> str:
    """A crawl's text with each two-character `\\n` made the line break it stands for."""
    return text.replace("\\n", "\n")
