"""The fields a posts file can hold, the column names people's exports give them, and how a post
is known when an export has no id.

Everything here is data: FIELD_ALIASES (read by fields_resolve), VIDEO_MEDIA_TYPES, PERMALINK.
A header matches an alias whatever its case, spaces, `_`, `-` and `.` (`Like Count`, `like_count`,
`likeCount` and `LIKES COUNT` are one name), so the table lists each name once.
"""

import difflib
import hashlib
import re

from django.utils.translation import gettext, gettext_noop

from influencers.imports.tabular import ImportFileError

# field -> the names exports give it, the preferred first (Apify's `shortCode` before its numeric
# `id`: the short code is the one in permalinks, instaloader files and image names).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "user_name": (
        "user_name", "username", "ownerusername", "owner.username", "handle", "account",
        "instagram_id", "insta_id", "아이디", "계정", "작성자", "인스타그램", "인스타그램 아이디",
        "인스타 아이디", "사용자", "사용자명", "유저",
    ),
    "full_name": (
        "full_name", "ownerfullname", "display_name", "owner.full_name", "이름", "닉네임", "표시 이름",
    ),
    "post_id": (
        "post_id", "shortcode", "short_code", "code", "id", "media_id", "pk", "게시물 id",
        "게시글 id", "포스트 id", "게시물 번호",
    ),
    "permalink": (
        "permalink", "url", "link", "post_url", "post_link", "링크", "게시물 링크", "게시물 url",
        "주소",
    ),
    "text": (
        "text", "caption", "title", "body", "content", "description", "본문", "내용", "캡션", "글",
        "게시글", "제목",
    ),
    "timestamp": (
        "timestamp", "date", "datetime", "uploaded_at", "upload_date", "created_at", "posted_at",
        "taken_at", "taken_at_timestamp", "time", "날짜", "작성일", "업로드일", "게시일", "작성일시",
        "업로드 날짜", "업로드 일시", "일시",
    ),
    "like": (
        "like", "likes", "like_count", "likes_count", "좋아요", "좋아요 수", "좋아요수",
    ),
    "comments": ("comments", "comment_count", "comments_count", "댓글", "댓글 수"),
    "video": ("video", "is_video", "동영상", "영상"),
    "media_type": ("media_type", "type", "product_type", "typename", "유형", "타입", "게시물 유형"),
    "followers": (
        "followers", "follower_count", "followers_count", "팔로워", "팔로워 수",
    ),
    "hashtags": ("hashtags", "hashtag", "hash_tag", "hastag", "tags", "해시태그", "태그"),
    "image_url": ("display_url", "image_url", "media_url", "thumbnail_url", "이미지", "이미지 url"),
    "post_style": ("post_style", "스타일"),
}  # fmt: skip
# A posts file needs these; `post` is one of post_id, permalink or text (a post without an id
# gets one from its account and caption, post_id_generate).
REQUIRED_FIELDS = ("user_name", "like")
OPTIONAL_NAMED = ("timestamp",)  # named in a refusal too, so that one fix is all it takes
POST_IDENTITY_FIELDS = ("post_id", "permalink", "text")

# media_type values (any case) that mean a video: Apify's Video, the Graph API's VIDEO and REELS,
# instaloader's GraphVideo, Instagram's clips and igtv.
VIDEO_MEDIA_TYPES = frozenset({"video", "reels", "reel", "clips", "igtv", "graphvideo", "동영상"})
# A post's permalink: its kind and its short code. /reel/, /reels/ and /tv/ are videos.
PERMALINK = re.compile(
    r"instagram\.com/(?:[A-Za-z0-9._]+/)?(?P<kind>p|reel|reels|tv)/(?P<code>[A-Za-z0-9_-]+)",
    re.IGNORECASE,
)
VIDEO_PERMALINK_KINDS = frozenset({"reel", "reels", "tv"})
GENERATED_ID_PREFIX = "gen-"  # a post id made from account and caption (post_id_generate)
_SEPARATORS = re.compile(r"[\s_.\-]+")


def header_normalize(name: str) -> str:
    """A column name as the alias table compares it: lower case, no spaces, `_`, `-` or `.`."""
    return _SEPARATORS.sub("", str(name).strip().lower())


def headers_key(columns) -> list[str]:
    """A file's headers as a saved mapping (ImportMapping.headers) is matched by: normalized,
    sorted, unnamed columns left out."""
    return sorted({header_normalize(c) for c in columns if c})


_ALIAS_FIELD = {
    header_normalize(alias): field for field, aliases in FIELD_ALIASES.items() for alias in aliases
}


def fields_resolve(columns, *, mapping: dict | None = None) -> dict[str, str]:
    """{field: the file's column} for the columns found; `mapping` (field -> column, as staff chose
    in the import preview) comes first. A field takes its first alias the file has."""
    by_name = {header_normalize(c): c for c in columns if c}
    found: dict[str, str] = {}
    for field, column in (mapping or {}).items():
        if field in FIELD_ALIASES and column in columns:
            found[field] = column
    taken = set(found.values())
    for field, aliases in FIELD_ALIASES.items():
        if field in found:
            continue
        for alias in aliases:
            column = by_name.get(header_normalize(alias))
            if column is not None and column not in taken:
                found[field] = column
                taken.add(column)
                break
    return found


def fields_missing(found: dict[str, str], *, account: str = "") -> list[str]:
    """The fields a posts file lacks (`post` when it has no post id, permalink nor caption)."""
    missing = [f for f in REQUIRED_FIELDS if f not in found and not (f == "user_name" and account)]
    if not any(f in found for f in POST_IDENTITY_FIELDS):
        missing.append("post_id")
    return missing


def nearest_alias(field: str, columns) -> tuple[str, str] | None:
    """(the file's column, the alias it is nearest to) for a field the file lacks, or None."""
    aliases = {header_normalize(a): a for a in FIELD_ALIASES[field]}
    best = None
    for column in columns:
        if not column:
            continue
        close = difflib.get_close_matches(header_normalize(column), aliases, n=1, cutoff=0.6)
        if close:
            ratio = difflib.SequenceMatcher(None, header_normalize(column), close[0]).ratio()
            if best is None or ratio > best[0]:
                best = (ratio, column, aliases[close[0]])
    return best[1:] if best else None


# The words of a missing-columns refusal: English in the error's message (the command, the API,
# logs), in the reader's language where a page shows it (missing_columns_text with gettext).
MISSING_COLUMNS = gettext_noop(
    "%(name)s lacks the field(s) %(fields)s. Its columns are: %(columns)s. Rename a column or "
    "choose it in the import preview."
)
MISSING_FIELD = gettext_noop("%(field)s (accepted: %(aliases)s)")
MISSING_FIELD_NEAREST = gettext_noop(
    "%(field)s (nearest: %(column)s, like %(alias)s; accepted: %(aliases)s)"
)
MISSING_ACCOUNT = gettext_noop(
    "Without an account column, name the account with the file (--account in the command, the "
    "Account field in admin and the API)."
)
MISSING_OPTIONAL = gettext_noop("Also not found (optional): %(fields)s.")
NO_COLUMNS = gettext_noop("(none)")


def fields_refusal(name: str, columns, missing: list[str], found: dict) -> ImportFileError:
    """One error naming the headers found, each field not found with every alias it accepts (the
    nearest alias first when a column is close to one), and the optional fields not found either
    (a post without a date is kept, undated). Its `extra` holds all of it as data."""
    headers = [c for c in columns if c]
    suggestions, accepted = {}, {}
    for field in missing:
        aliases = list(FIELD_ALIASES[field])
        near = nearest_alias(field, headers)
        if near:
            suggestions[field] = {"column": near[0], "alias": near[1]}
            aliases.remove(near[1])
            aliases.insert(0, near[1])
        accepted[field] = aliases
    refusal = {
        "name": name,
        "columns": headers,
        "missing": missing,
        "suggestions": suggestions,
        "accepted": accepted,
        "optional": [f for f in OPTIONAL_NAMED if f not in found and f not in missing],
    }
    return ImportFileError(
        missing_columns_text(refusal, translate=str), code="missing_columns", extra=refusal
    )


def missing_columns_text(refusal: dict, *, translate=gettext) -> str:
    """A missing-columns refusal (fields_refusal's `extra`) in `translate`'s language: the active
    one by default, English with `str`."""
    hints = []
    for field in refusal["missing"]:
        aliases = ", ".join(refusal.get("accepted", {}).get(field) or FIELD_ALIASES[field])
        near = refusal.get("suggestions", {}).get(field)
        if near:
            hints.append(
                translate(MISSING_FIELD_NEAREST)
                % {
                    "field": field,
                    "column": repr(near["column"]),
                    "alias": repr(near["alias"]),
                    "aliases": aliases,
                }
            )
        else:
            hints.append(translate(MISSING_FIELD) % {"field": field, "aliases": aliases})
    parts = [
        translate(MISSING_COLUMNS)
        % {
            "name": refusal["name"],
            "fields": "; ".join(hints),
            "columns": ", ".join(refusal["columns"]) or translate(NO_COLUMNS),
        }
    ]
    if "user_name" in refusal["missing"]:
        parts.append(translate(MISSING_ACCOUNT))
    if refusal.get("optional"):
        parts.append(translate(MISSING_OPTIONAL) % {"fields": ", ".join(refusal["optional"])})
    return " ".join(parts)


def import_error_text(error: str, refusal: dict | None) -> str:
    """A whole-file import error in the active language where it is one the import describes as
    data (missing columns); any other stays as it was stored."""
    if refusal and refusal.get("code") == "missing_columns" and "missing" in refusal:
        return missing_columns_text(refusal)
    return error


def permalink_parse(value) -> tuple[str, bool] | None:
    """(short code, is a video) from a post's permalink; None when it is not one."""
    match = PERMALINK.search(str(value or ""))
    if not match:
        return None
    return match["code"], match["kind"].lower() in VIDEO_PERMALINK_KINDS


def post_id_generate(handle: str, caption: str) -> str:
    """A stable id for a post an export gives no id or link for: from its account (any case) and
    its caption, so importing the same file again finds the same post."""
    digest = hashlib.sha256(f"{handle.lower()}\n{caption.strip()}".encode()).hexdigest()
    return f"{GENERATED_ID_PREFIX}{digest[:24]}"
