"""Parse import files into typed rows; a broken file raises ImportFileError before any write."""

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field

from django.utils import timezone

from common.errors import ApplicationError

HANDLE = re.compile(r"^[A-Za-z0-9._]{1,30}$")
CRAWL_REQUIRED = ("user_name", "post_id", "text", "timestamp", "like", "video")
INFLUENCER_REQUIRED = ("user_name", "gender", "size")
_GENDERS = {
    "f": "F",
    "female": "F",
    "여": "F",
    "여성": "F",
    "m": "M",
    "male": "M",
    "남": "M",
    "남성": "M",
}
_SIZES = {"s": "S", "small": "S", "m": "M", "medium": "M", "l": "L", "large": "L"}
_TRUE = {"1", "true", "yes", "y", "t", "video"}
_FALSE = {"0", "false", "no", "n", "f", "", "image", "photo"}


class ImportFileError(ApplicationError):
    """The whole file is unusable; nothing was written."""


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class PostRow:
    row: int
    handle: str
    post_id: str
    caption: str
    posted_at: dt.datetime | None
    likes: int | None  # None: hidden
    is_video: bool


@dataclass
class InfluencerRow:
    row: int
    handle: str
    gender: str
    body_size: str
    followers: int | None = None
    height_cm: int | None = None
    display_name: str = ""


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 and import again.",
            code="wrong_encoding",
        ) from exc


def _records(data: bytes, name: str, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    """(row number, record) pairs from CSV or JSON Lines; the header is row 1 in a CSV."""
    if b"\x00" in data[:4096]:
        raise ImportFileError(f"{name} is a binary file, not CSV or JSON.", code="not_tabular")
    text = _decode(data, name)
    stripped = text.lstrip()
    if not stripped:
        raise ImportFileError(f"{name} is empty.", code="empty_file")
    if stripped[0] in "[{":
        records = _json_records(text, name)
        columns = set().union(*(r.keys() for _, r in records)) if records else set(required)
    else:
        records, columns = _csv_records(text, name)
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportFileError(
            f"{name} lacks the required column(s): {', '.join(missing)}.", code="missing_columns"
        )
    return records


def _csv_records(text: str, name: str) -> tuple[list[tuple[int, dict]], set[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    if not reader.fieldnames or len(reader.fieldnames) < 2:
        raise ImportFileError(f"{name} is not a CSV table with a header row.", code="not_tabular")
    reader.fieldnames = [f.strip().lower() for f in reader.fieldnames]
    try:
        records = [
            (i + 2, {k: (v or "") for k, v in rec.items() if k}) for i, rec in enumerate(reader)
        ]
        return records, set(reader.fieldnames)
    except csv.Error as exc:
        raise ImportFileError(f"{name}: malformed CSV ({exc}).", code="not_tabular") from exc


def _json_records(text: str, name: str) -> list[tuple[int, dict]]:
    stripped = text.strip()
    try:
        if stripped.startswith("["):
            items = json.loads(stripped)
            return [
                (i + 1, _lower_keys(item))
                for i, item in enumerate(items)
                if _is_object(item, name, i + 1)
            ]
        records = []
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                item = json.loads(line)
                if _is_object(item, name, n):
                    records.append((n, _lower_keys(item)))
        return records
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{name} is not valid JSON Lines (line {exc.lineno}: {exc.msg}).", code="invalid_json"
        ) from exc


def _is_object(item, name, n) -> bool:
    if not isinstance(item, dict):
        raise ImportFileError(f"{name}: record {n} is not a JSON object.", code="invalid_json")
    return True


def _lower_keys(item: dict) -> dict:
    return {str(k).strip().lower(): v for k, v in item.items()}


def _text(value) -> str:
    return "" if value is None else str(value)


def parse_timestamp(value) -> dt.datetime | None:
    text = _text(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace("Z", "+00:00"))
    parsed = dt.datetime.fromisoformat(text)  # raises ValueError
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _handle(value, row: int, errors: list[RowError]) -> str | None:
    handle = _text(value).strip().lstrip("@")
    if not HANDLE.match(handle):
        errors.append(RowError(row, "user_name", f"not an Instagram handle: {handle[:40]!r}"))
        return None
    return handle


def _optional_int(value, row, column, errors, low=0, high=10**10):
    text = _text(value).strip()
    if not text:
        return None
    try:
        number = int(float(text))
    except ValueError:
        errors.append(RowError(row, column, f"not a number: {text[:40]!r}"))
        return None
    if not low <= number <= high:
        errors.append(RowError(row, column, f"out of range: {number}"))
        return None
    return number


def crawl_posts_parse(data: bytes, name: str) -> Parsed:
    """The prototype's crawl table: user_name, post_id, text, timestamp, like (-1 hidden), video."""
    parsed = Parsed()
    seen: dict[str, int] = {}
    for row, rec in _records(data, name, CRAWL_REQUIRED):
        errors: list[RowError] = []
        handle = _handle(rec.get("user_name"), row, errors)
        post_id = _text(rec.get("post_id")).strip()
        if not post_id or len(post_id) > 64:
            errors.append(RowError(row, "post_id", "missing or longer than 64 characters"))
        elif post_id in seen:
            errors.append(RowError(row, "post_id", f"duplicate of row {seen[post_id]}"))
        try:
            posted_at = parse_timestamp(rec.get("timestamp"))
        except (ValueError, OverflowError, OSError):
            errors.append(
                RowError(
                    row, "timestamp", f"not a date and time: {_text(rec.get('timestamp'))[:40]!r}"
                )
            )
            posted_at = None
        likes = None
        like_text = _text(rec.get("like")).strip()
        try:
            like_value = int(float(like_text))
            if like_value == -1:
                likes = None  # hidden by the account
            elif like_value < 0:
                errors.append(RowError(row, "like", f"negative like count: {like_value}"))
            else:
                likes = like_value
        except ValueError:
            errors.append(RowError(row, "like", f"not a number: {like_text[:40]!r}"))
        video_text = _text(rec.get("video")).strip().lower()
        if video_text not in _TRUE | _FALSE:
            errors.append(RowError(row, "video", f"not true/false: {video_text[:20]!r}"))
        if errors:
            parsed.errors.extend(errors)
            continue
        seen[post_id] = row
        parsed.rows.append(
            PostRow(
                row, handle, post_id, _text(rec.get("text")), posted_at, likes, video_text in _TRUE
            )
        )
    return parsed


def graph_media_parse(data: bytes, name: str) -> Parsed:
    """Graph API media: a list, {"data": [...]}, or business_discovery {"username", "media"}."""
    text = _decode(data, name)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{name} is not valid JSON (line {exc.lineno}: {exc.msg}).", code="invalid_json"
        ) from exc
    owner = ""
    if isinstance(payload, dict):
        discovery = payload.get("business_discovery")
        if isinstance(discovery, dict):
            owner, payload = discovery.get("username", ""), discovery.get("media", {})
        owner = payload.get("username", owner) if isinstance(payload, dict) else owner
        payload = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(payload, list):
        raise ImportFileError(f"{name} holds no list of media objects.", code="invalid_json")
    records = []
    for n, item in enumerate(payload, start=1):
        if not isinstance(item, dict) or "id" not in item:
            raise ImportFileError(f"{name}: media {n} has no id.", code="missing_columns")
        records.append(
            {
                "user_name": item.get("username", owner),
                "post_id": item["id"],
                "text": item.get("caption", ""),
                "timestamp": item.get("timestamp", ""),
                "like": item.get("like_count", -1),  # absent when the owner hid it
                "video": "true" if item.get("media_type") in ("VIDEO", "REELS") else "false",
            }
        )
    return crawl_posts_parse(json.dumps(records, ensure_ascii=False).encode(), name)


def influencers_parse(data: bytes, name: str) -> Parsed:
    parsed = Parsed()
    seen: set[str] = set()
    for row, rec in _records(data, name, INFLUENCER_REQUIRED):
        errors: list[RowError] = []
        handle = _handle(rec.get("user_name"), row, errors)
        if handle and handle.lower() in seen:
            errors.append(RowError(row, "user_name", "duplicate influencer in this file"))
        gender = _GENDERS.get(_text(rec.get("gender")).strip().lower())
        if not gender:
            errors.append(
                RowError(
                    row, "gender", f"unknown gender: {_text(rec.get('gender'))[:20]!r} (use F or M)"
                )
            )
        size = _SIZES.get(_text(rec.get("size")).strip().lower())
        if not size:
            errors.append(
                RowError(
                    row,
                    "size",
                    f"unknown body size: {_text(rec.get('size'))[:20]!r} (use S, M or L)",
                )
            )
        followers = _optional_int(rec.get("followers"), row, "followers", errors)
        height = _optional_int(rec.get("height"), row, "height", errors, 80, 250)
        if errors:
            parsed.errors.extend(errors)
            continue
        seen.add(handle.lower())
        parsed.rows.append(
            InfluencerRow(
                row,
                handle,
                gender,
                size,
                followers,
                height,
                _text(rec.get("display_name")).strip()[:120],
            )
        )
    return parsed
