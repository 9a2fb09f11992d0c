"""Parse import files into typed rows; a broken file raises ImportFileError before any write.

Reading the file (format, encoding, delimiter, line numbers) is tabular.py's; reading one value
(dates, counts) is values.py's; this module turns records into posts and influencers, each bad
row reported with its line, column and reason.
"""

import csv
import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

from common.instagram import instagram_permalink_clean
from influencers.constants import (
    BIO_MAX_LENGTH,
    CAPTION_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    FOLLOWERS_MAX,
    HANDLE_PATTERN,
    HEIGHT_CM_MAX,
    HEIGHT_CM_MIN,
    LIKES_MAX,
    POST_ID_MAX_LENGTH,
    POST_IMAGES_MAX,
)
from influencers.imports.fields import (
    VIDEO_MEDIA_TYPES,
    fields_missing,
    fields_refusal,
    fields_resolve,
    headers_key,
    permalink_parse,
    post_id_generate,
)
from influencers.imports.tabular import (
    ImportFileError,
    RowNumber,
    Table,
    json_load,
    table_read,
    text_decode,
)
from influencers.imports.values import (
    cell_text,
    count_parse,
    line_breaks_normalized,
    text_unescape,
    timestamp_parse,
)
from mlcore.styles import style_code_from_label

__all__ = [
    "ImportFileError",
    "InfluencerRow",
    "Parsed",
    "PostRow",
    "RowError",
    "crawl_posts_parse",
    "graph_media_parse",
    "influencers_parse",
]

HANDLE = re.compile(rf"^{HANDLE_PATTERN}$")
INFLUENCER_REQUIRED = ("user_name", "gender", "size")
# The prototype's crawl table labels each post with the style its model gave it.
PROTOTYPE_STYLE_COLUMN = "post_style"
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
HIDDEN_LIKES = -1  # what a crawl writes when the account hides its like count
_TAG_WORDS = re.compile(r"[^\s,#\[\]'\"]+")
_URL_SCHEMES = ("https://", "http://")


# Why a row was refused: a code and its values, so each page shows it in its reader's language
# (row_error_text); `reason` is the English text for the command line, the API and logs.
ROW_ERRORS = {
    "field_too_long": gettext_noop("a field is longer than %(limit)s characters"),
    "not_a_handle": gettext_noop("not an Instagram handle: %(value)s"),
    "bad_count": gettext_noop("%(problem)s: %(value)s"),
    "out_of_range": gettext_noop("out of range: %(number)s (%(low)s to %(high)s)"),
    "bad_post_id": gettext_noop("missing or longer than %(limit)s characters"),
    "duplicate_post": gettext_noop("duplicate of row %(row)s"),
    "duplicate_post_in_file": gettext_noop("duplicate of row %(row)s of %(file)s"),
    "caption_not_text": gettext_noop("not a text but a JSON list or object"),
    "caption_too_long": gettext_noop("caption of %(length)s characters; the limit is %(limit)s"),
    "bad_timestamp": gettext_noop("not a date and time: %(value)s"),
    "bad_video": gettext_noop("not true/false: %(value)s"),
    "duplicate_influencer": gettext_noop("duplicate influencer in this file"),
    "unknown_gender": gettext_noop("unknown gender: %(value)s (use F or M)"),
    "unknown_size": gettext_noop("unknown body size: %(value)s (use S, M or L)"),
    "unknown_influencer": gettext_noop(
        "unknown influencer @%(handle)s: add it in the influencers file"
    ),
    "other_influencers_post": gettext_noop(
        "this post id belongs to another influencer (@%(handle)s)"
    ),
    "image_refused": gettext_noop("%(code)s: %(detail)s"),
    "carousel_image_refused": gettext_noop("%(code)s: %(name)s: %(detail)s"),
    "too_many_images": gettext_noop("%(count)s images; a post holds at most %(limit)s"),
    "bad_children": gettext_noop("not a list of media objects with ids"),
    "bad_metadata": gettext_noop("unreadable instaloader metadata: %(detail)s"),
    "bad_permalink": gettext_noop("not the address of an Instagram post: %(value)s"),
    "carousel_image_missing": gettext_noop(
        "no image for the album's %(names)s: an album is imported with all its images or not at all"
    ),
}
# Values that are themselves English messages (values.py's reasons, an image's refusal: its
# ImageRejected.message_id), translated with the rest; `<key>_params` holds the values such a
# message is formatted with.
_TRANSLATED_PARAMS = ("problem", "detail")


def _params_text(params: dict, translate) -> dict:
    """The params with each message among them in `translate`'s language and formatted."""
    found = dict(params)
    for key in _TRANSLATED_PARAMS:
        if key in params:
            text, values = translate(params[key]), params.get(f"{key}_params")
            found[key] = text % values if values else text
    return found


@dataclass
class RowError:
    row: int
    column: str
    code: str
    params: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return ROW_ERRORS[self.code] % _params_text(self.params, str)

    def as_dict(self) -> dict:
        """The row as a spreadsheet shows it, and the text line where it starts (CSV); `file`
        too when the import read several files (the pages of a Graph API export)."""
        line = getattr(self.row, "line", self.row)
        found = {
            "row": int(self.row),
            "line": int(line),
            "column": self.column,
            "reason": self.reason,
            "code": self.code,
            "params": self.params,
        }
        if getattr(self.row, "file", ""):
            found["file"] = self.row.file
        return found


def row_error_text(error: dict) -> str:
    """A stored row error (RowError.as_dict) in the active language; reports stored before the
    codes keep their English reason."""
    message = ROW_ERRORS.get(error.get("code", ""))
    if message is None:
        return error.get("reason", "")
    return gettext(message) % _params_text(error.get("params", {}), gettext)


@dataclass
class PostRow:
    row: int
    handle: str
    post_id: str
    caption: str
    posted_at: dt.datetime | None
    likes: int | None  # None: hidden
    is_video: bool
    # The prototype's style label as our style code ("" when it names none); None when the file
    # has no such column, so that importing another export leaves the stored label alone.
    prototype_style: str | None = None
    # A Graph API album's children, in order: its images are named by these ids.
    child_ids: tuple[str, ...] = ()
    # Those of its children whose media_type is VIDEO (a video may come without an image).
    video_child_ids: frozenset[str] = frozenset()
    # Links to the post's images, cover first, when the export gives links instead of files
    # (Apify, Graph API): fetched later by a bulk task (services/image_links.py).
    image_urls: tuple[str, ...] = ()
    # The names of its image files in the import's archive, cover first, when the export names
    # them itself (instaloader's `<date>_UTC_1.jpg`); None: found by post id (ImageSource).
    image_names: tuple[str, ...] | None = None
    # The post's Instagram address (normalised), "" when the source gives none: a stored one
    # is then kept.
    permalink: str = ""


@dataclass
class InfluencerRow:
    """An influencer as a file gives it; None (or "") is a value the file does not give, which
    an import leaves as it is (a new influencer's gender and size stay blank: needs curation)."""

    row: int
    handle: str
    gender: str | None = None
    body_size: str | None = None
    followers: int | None = None
    height_cm: int | None = None
    display_name: str = ""
    bio: str = ""
    media_count: int | None = None

    def merged(self, other: "InfluencerRow") -> "InfluencerRow":
        """This row with every value `other` gives put over it."""
        given = {
            k: v
            for k, v in other.__dict__.items()
            if k not in ("row", "handle") and v not in (None, "")
        }
        return InfluencerRow(**{**self.__dict__, **given})


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""  # how the file was read: "UTF-8", "CP949", "xlsx", ...
    # The accounts a posts file names, with what it says of them (full name, followers, ...):
    # the import creates those it does not know, with gender and size blank.
    influencers: list[InfluencerRow] = field(default_factory=list)
    # field -> the file's column it was read from (the import preview shows and changes it).
    columns: dict[str, str] = field(default_factory=dict)
    # Where the post images are when the posts file itself holds them (an instaloader zip).
    images: object | None = None
    # Every column of a table (the import preview offers each for each field).
    all_columns: list[str] = field(default_factory=list)


def _parsed(table: Table) -> Parsed:
    """A Parsed carrying the table's encoding and the records it could not read."""
    return Parsed(
        errors=[
            RowError(row, "record", "field_too_long", {"limit": f"{csv.field_size_limit():,}"})
            for row in table.unreadable
        ],
        encoding=table.encoding,
    )


def _handle(value, row: int, errors: list[RowError], column: str = "user_name") -> str | None:
    handle = cell_text(value).strip().lstrip("@")
    if not HANDLE.match(handle):
        errors.append(RowError(row, column, "not_a_handle", {"value": repr(handle[:40])}))
        return None
    return handle


def _count(value, row, column, errors, low, high) -> int | None:
    """A count within [low, high]; None (and a row error) when it is not one."""
    try:
        number = count_parse(value)
    except ValueError as exc:
        errors.append(
            RowError(
                row,
                column,
                "bad_count",
                {"problem": str(exc), "value": repr(cell_text(value)[:40])},
            )
        )
        return None
    if not low <= number <= high:
        errors.append(
            RowError(
                row, column, "out_of_range", {"number": number, "low": low, "high": f"{high:,}"}
            )
        )
        return None
    return number


def crawl_posts_parse(
    data: bytes, name: str, *, account: str = "", mapping: dict | None = None, **_options
) -> Parsed:
    """A crawl table, whatever its headers: columns are found by the alias table (fields.py), or
    as `mapping` (field -> column) says. CSV, JSON Lines or .xlsx. The prototype's own table
    (user_name, post_id, text, timestamp, like, video, post_style) is one of them."""
    table = table_read(data, name, required=())
    return posts_from_table(table, name, account=account, mapping=mapping, unescape=True)


def _permalink(value, row, errors: list[RowError], column: str) -> str:
    """The post's Instagram address, normalised; "" when the source gives none; a row error when
    the value is not an Instagram post's address (another site, a profile, a script: URL)."""
    value = cell_text(value).strip()
    if not value:
        return ""
    try:
        return instagram_permalink_clean(value)
    except ValueError:
        errors.append(RowError(row, column, "bad_permalink", {"value": repr(value[:80])}))
        return ""


def posts_from_table(
    table: Table,
    name: str,
    *,
    account: str = "",
    mapping: dict | None = None,
    unescape: bool,
    hidden_when_empty: bool = False,
    record_images=None,
) -> Parsed:
    """Posts from a table's records, each field read from the column fields_resolve finds.

    `record_images(record)` gives a record's image links (Apify); `hidden_when_empty`: an empty
    like count means hidden (Apify writes null), not a bad row."""
    if callable(mapping):  # a saved mapping for files with these headers (ImportMapping)
        mapping = mapping(headers_key(table.columns))
    columns = fields_resolve(table.columns, mapping=mapping)
    missing = fields_missing(columns, account=account)
    if missing:
        raise fields_refusal(name, sorted(table.columns), missing, columns)
    parsed = _parsed(table)
    parsed.columns = columns
    parsed.all_columns = sorted(c for c in table.columns if c)
    canonical = []
    for row, rec in table.records:
        record = {f: rec.get(column) for f, column in columns.items()}
        if record_images is not None:
            record["image_urls"] = record_images(rec)
        if hidden_when_empty and _blank_value(record.get("like")):
            record["like"] = HIDDEN_LIKES
        canonical.append((row, record))
    _posts_from_records(
        canonical,
        parsed,
        unescape=unescape,
        prototype_styles="post_style" in columns,
        columns=columns,
        account=account,
        generate_ids="post_id" not in columns and "permalink" not in columns,
    )
    return parsed


def _blank_value(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _hashtags_added(caption: str, value) -> str:
    """The caption with the tags of a hashtag column it does not already hold, on a last line
    (`#a #b`, `a, b` and pandas' `['a', 'b']` alike)."""
    if isinstance(value, list):
        words = [w for item in value if isinstance(item, str) for w in _TAG_WORDS.findall(item)]
    else:
        words = _TAG_WORDS.findall(cell_text(value))
    lowered = caption.lower()
    missing = [w for w in dict.fromkeys(words) if f"#{w.lower()}" not in lowered]
    if not missing:
        return caption
    tags = " ".join(f"#{w}" for w in missing)
    return f"{caption}\n{tags}" if caption else tags


def _video(rec: dict, link, row, errors, column) -> bool:
    """From the video column (true/false), else the media type, else the permalink's kind."""
    video_text = cell_text(rec.get("video")).strip().lower()
    if video_text:
        if video_text not in _TRUE | _FALSE:
            errors.append(RowError(row, column, "bad_video", {"value": repr(video_text[:20])}))
        return video_text in _TRUE
    media_type = cell_text(rec.get("media_type")).strip().lower()
    if media_type:
        return media_type in VIDEO_MEDIA_TYPES
    return bool(link and link[1])


def _image_urls(value, row, errors) -> tuple[str, ...]:
    urls = tuple(u for u in (value or ()) if isinstance(u, str) and u.startswith(_URL_SCHEMES))
    if len(urls) > POST_IMAGES_MAX:
        errors.append(
            RowError(
                row, "image_url", "too_many_images", {"count": len(urls), "limit": POST_IMAGES_MAX}
            )
        )
    return tuple(dict.fromkeys(urls))


def _posts_from_records(
    records,
    parsed: Parsed,
    *,
    unescape: bool,
    prototype_styles: bool,
    columns: dict | None = None,
    account: str = "",
    generate_ids: bool = False,
):
    """Posts from records of fields (user_name, post_id, permalink, text, timestamp, like, video,
    media_type, full_name, followers, hashtags, image_urls); each error names the file's column."""
    columns = columns or {}

    def col(name: str) -> str:
        return columns.get(name, name)

    seen: dict[str, int] = {}
    profiles: dict[str, InfluencerRow] = {}
    for row, rec in records:
        errors: list[RowError] = []
        raw_handle = rec.get("user_name")
        if account and _blank_value(raw_handle):
            raw_handle = account
        handle = _handle(raw_handle, row, errors, col("user_name"))
        caption = line_breaks_normalized(cell_text(rec.get("text")))
        caption = text_unescape(caption) if unescape else caption
        written_caption = caption  # a generated id follows the caption as the file writes it
        if not _blank_value(rec.get("hashtags")):
            caption = _hashtags_added(caption, rec.get("hashtags"))
        link = permalink_parse(rec.get("permalink"))
        permalink = _permalink(rec.get("permalink"), row, errors, col("permalink"))
        post_id = cell_text(rec.get("post_id")).strip()
        id_column = col("post_id")
        if not post_id and link:
            post_id = link[0]
        elif not post_id and "post_id" not in columns and "permalink" in columns:
            id_column = col("permalink")
        if not post_id and generate_ids and handle:
            post_id = post_id_generate(handle, written_caption)
        if not post_id or len(post_id) > POST_ID_MAX_LENGTH:
            errors.append(RowError(row, id_column, "bad_post_id", {"limit": POST_ID_MAX_LENGTH}))
        elif post_id in seen:
            first = seen[post_id]
            file = getattr(first, "file", "")
            errors.append(
                RowError(
                    row, id_column, "duplicate_post_in_file", {"row": int(first), "file": file}
                )
                if file
                else RowError(row, id_column, "duplicate_post", {"row": int(first)})
            )
        if isinstance(rec.get("text"), dict | list):
            errors.append(RowError(row, col("text"), "caption_not_text"))
        elif len(caption) > CAPTION_MAX_LENGTH:
            errors.append(
                RowError(
                    row,
                    col("text"),
                    "caption_too_long",
                    {"length": f"{len(caption):,}", "limit": f"{CAPTION_MAX_LENGTH:,}"},
                )
            )
        try:
            posted_at = timestamp_parse(rec.get("timestamp"))
        except (ValueError, OverflowError, OSError):
            errors.append(
                RowError(
                    row,
                    col("timestamp"),
                    "bad_timestamp",
                    {"value": repr(cell_text(rec.get("timestamp"))[:40])},
                )
            )
            posted_at = None
        likes = _count(rec.get("like"), row, col("like"), errors, HIDDEN_LIKES, LIKES_MAX)
        is_video = _video(rec, link, row, errors, col("video"))
        followers = None
        if not _blank_value(rec.get("followers")):
            followers = _count(
                rec.get("followers"), row, col("followers"), errors, 0, FOLLOWERS_MAX
            )
        image_urls = _image_urls(rec.get("image_urls"), row, errors)
        if errors:
            parsed.errors.extend(errors)
            continue
        seen[post_id] = row
        style = None
        if prototype_styles:  # an unknown label is kept empty, never an error
            style = style_code_from_label(cell_text(rec.get(PROTOTYPE_STYLE_COLUMN))[:40]) or ""
        parsed.rows.append(
            PostRow(
                row,
                handle,
                post_id,
                caption,
                posted_at,
                None if likes == HIDDEN_LIKES else likes,
                is_video,
                style,
                image_urls=image_urls,
                image_names=rec.get("image_names"),
                permalink=permalink,
            )
        )
        said = InfluencerRow(
            row,
            handle,
            followers=followers,
            display_name=cell_text(rec.get("full_name")).strip()[:DISPLAY_NAME_MAX_LENGTH],
        )
        known = profiles.get(handle.lower())
        profiles[handle.lower()] = known.merged(said) if known else said
    parsed.influencers = [*parsed.influencers, *profiles.values()]


def graph_media_parse(
    data: bytes, name: str, *, more_pages=(), account: str = "", **_options
) -> Parsed:
    """Graph API media: a list, {"data": [...]}, or business_discovery {"username", "media"}.

    `more_pages` ((data, name), ...) are the further pages of the same export (its `paging`),
    read as one list: a post id repeated on another page is a duplicate row, and the account
    named on one page owns the media of pages that name none. With several pages, each error
    names its file and its row there. A business_discovery answer's name, biography,
    followers_count and media_count describe the account. `account` names the account when the
    answer does not (its request did not list `username` among the fields).
    """
    pages = [(data, name), *more_pages]
    several = len(pages) > 1
    encodings, records, errors = [], [], []
    owner, profile = "", {}
    for page_data, page_name in pages:
        text, encoding = text_decode(page_data, page_name)
        encodings.append(encoding)
        items, owner, found = _graph_media_items(json_load(text, page_name), page_name, owner)
        profile = found or profile
        for n, item in enumerate(items, start=1):
            row = RowNumber(n, file=page_name if several else "")
            if not isinstance(item, dict) or "id" not in item:
                raise ImportFileError(f"{page_name}: media {n} has no id.", code="missing_columns")
            children = _graph_children(item, row, errors)
            if children is None:
                continue
            record = {
                "user_name": item.get("username", ""),
                "post_id": item["id"],
                "text": item.get("caption", ""),
                "timestamp": item.get("timestamp", ""),
                "like": item.get("like_count", HIDDEN_LIKES),  # absent when the owner hid it
                "permalink": item.get("permalink", ""),
                "video": "true" if item.get("media_type") in ("VIDEO", "REELS") else "false",
                "image_urls": _graph_image_urls(item),
            }
            records.append((row, record, children))
    owner = owner or account.strip().lstrip("@")
    if not owner and any(_blank_value(r.get("user_name")) for _, r, _ in records):
        raise ImportFileError(
            f"{name} does not say whose media it is: add username to the fields the request asks "
            "for (business_discovery.username(…){username,name,biography,followers_count,"
            "media_count,media{…}}), or name the account with the file (--account in the command, "
            "the Account field in admin and the API).",
            code="account_unknown",
        )
    parsed = Parsed(errors=errors, encoding=", ".join(dict.fromkeys(encodings)))
    # JSON strings carry real line breaks: a backslash and an n in them are the caption's own.
    _posts_from_records(
        [(row, record) for row, record, _ in records],
        parsed,
        unescape=False,
        prototype_styles=False,
        account=owner,
    )
    children = {(row.file, int(row)): found for row, _, found in records}
    for post in parsed.rows:
        post.child_ids, post.video_child_ids = children[post.row.file, int(post.row)]
    if profile and owner:
        parsed.influencers = _graph_profile(owner, profile) + [
            i for i in parsed.influencers if i.handle.lower() != owner.lower()
        ]
    return parsed


def _graph_profile(owner: str, profile: dict) -> list[InfluencerRow]:
    """The account as a business_discovery answer describes it (values that are no count are
    left out, never an error: the posts are what the file is for)."""
    counts = {}
    for key in ("followers_count", "media_count"):
        try:
            number = count_parse(profile.get(key))
        except ValueError:
            continue
        if 0 <= number <= FOLLOWERS_MAX:
            counts[key] = number
    handle = cell_text(owner).strip().lstrip("@")
    if not HANDLE.match(handle):
        return []
    return [
        InfluencerRow(
            0,
            handle,
            followers=counts.get("followers_count"),
            media_count=counts.get("media_count"),
            display_name=cell_text(profile.get("name")).strip()[:DISPLAY_NAME_MAX_LENGTH],
            bio=cell_text(profile.get("biography")).strip()[:BIO_MAX_LENGTH],
        )
    ]


def _graph_image_urls(item: dict) -> tuple[str, ...]:
    """An item's image links, cover first: its children's (else its own) media_url for an image,
    thumbnail_url for a video (a video's media_url is the video itself). The Graph API serves
    https only, so any other link is left out."""
    children = item.get("children")
    children = children.get("data") if isinstance(children, dict) else children
    sources = children if isinstance(children, list) and children else [item]
    urls = []
    for media in sources:
        if isinstance(media, dict):
            video = media.get("media_type") in ("VIDEO", "REELS")
            url = media.get("thumbnail_url") if video else media.get("media_url")
            if isinstance(url, str) and url.startswith("https://"):
                urls.append(url)
    return tuple(urls)


def _graph_media_items(payload, name: str, owner: str) -> tuple[list, str, dict]:
    """The media list of one page, the account it names (else the owner so far) and what a
    business_discovery answer says of the account."""
    profile = {}
    if isinstance(payload, dict):
        discovery = payload.get("business_discovery")
        if isinstance(discovery, dict):
            profile = discovery
            owner, payload = discovery.get("username", owner), discovery.get("media", {})
        owner = payload.get("username", owner) if isinstance(payload, dict) else owner
        payload = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(payload, list):
        raise ImportFileError(f"{name} holds no list of media objects.", code="invalid_json")
    return payload, owner, profile


def _graph_children(item: dict, row, errors: list[RowError]):
    """An album's child ids in order (() for other media) and the ids of its videos; None, with
    a row error, when its `children` is not a list of media with ids or holds more than an album
    can."""
    children = item.get("children")
    if children is None:
        return (), frozenset()
    if isinstance(children, dict):
        children = children.get("data")
    if not isinstance(children, list) or not all(
        isinstance(c, dict) and isinstance(c.get("id"), str | int) for c in children
    ):
        errors.append(RowError(row, "children", "bad_children"))
        return None
    if len(children) > POST_IMAGES_MAX:
        errors.append(
            RowError(
                row,
                "children",
                "too_many_images",
                {"count": len(children), "limit": POST_IMAGES_MAX},
            )
        )
        return None
    return (
        tuple(str(c["id"]) for c in children),
        frozenset(str(c["id"]) for c in children if c.get("media_type") == "VIDEO"),
    )


def influencers_parse(data: bytes, name: str) -> Parsed:
    table = table_read(data, name, required=INFLUENCER_REQUIRED)
    parsed = _parsed(table)
    seen: set[str] = set()
    for row, rec in table.records:
        errors: list[RowError] = []
        handle = _handle(rec.get("user_name"), row, errors)
        if handle and handle.lower() in seen:
            errors.append(RowError(row, "user_name", "duplicate_influencer"))
        gender = _GENDERS.get(cell_text(rec.get("gender")).strip().lower())
        if not gender:
            errors.append(
                RowError(
                    row,
                    "gender",
                    "unknown_gender",
                    {"value": repr(cell_text(rec.get("gender"))[:20])},
                )
            )
        size = _SIZES.get(cell_text(rec.get("size")).strip().lower())
        if not size:
            errors.append(
                RowError(
                    row,
                    "size",
                    "unknown_size",
                    {"value": repr(cell_text(rec.get("size"))[:20])},
                )
            )
        followers = height = None
        if cell_text(rec.get("followers")).strip():
            followers = _count(rec.get("followers"), row, "followers", errors, 0, FOLLOWERS_MAX)
        if cell_text(rec.get("height")).strip():
            height = _count(rec.get("height"), row, "height", errors, HEIGHT_CM_MIN, HEIGHT_CM_MAX)
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
                cell_text(rec.get("display_name")).strip()[:DISPLAY_NAME_MAX_LENGTH],
            )
        )
    return parsed
