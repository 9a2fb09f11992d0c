"""posts_import: the one import service behind the CLI, the admin page and the API.

A broken file raises before anything is written. Bad rows are reported (row, column, reason) and
skipped; good rows are upserted by post id, so re-importing the same export changes nothing.
Posts are written in chunks, each in its own transaction with its images, profiles and queued
work: progress is visible while a long import runs, and an import stopped half-way keeps whole
chunks only (importing the file again completes it). Stored images always come from
common.uploads (validated, re-encoded, generated names); the files of a chunk that rolls back are
deleted, so no file outlives its row.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from common.uploads import ImageRejected, ValidatedImage, image_validate
from influencers.constants import POST_IMAGES_MAX, SUPPRESSED_REASON
from influencers.imports.formats import POSTS_READERS, import_format_detect
from influencers.imports.images import ImageSource
from influencers.imports.readers import (
    HANDLE,
    ImportFileError,
    InfluencerRow,
    PostRow,
    RowError,
    influencers_parse,
)
from influencers.models import ImportFormat, Influencer, Post, PostImage
from influencers.services.derivatives import (
    post_image_files_delete,
    post_image_files_delete_on_commit,
)
from influencers.services.image_links import post_image_links_replace
from influencers.services.import_mappings import import_mapping_for_headers
from influencers.services.post_classification import (
    CLASSIFICATION_RESULT_FIELDS,
    post_classification_reset,
)
from influencers.services.profiles import influencer_profiles_rebuild
from influencers.services.search_index import influencer_search_names_rebuild
from influencers.services.summaries import influencer_summaries_schedule
from influencers.signals import posts_need_classification
from influencers.suppression import suppressed_handles
from mlcore.keywords import is_sponsored

log = logging.getLogger(__name__)
ProgressCallback = Callable[[int, int], None]
CHUNK = 2000
IMPORT_FORMATS = ImportFormat.values


@dataclass
class ImportReport:
    posts_created: int = 0
    posts_updated: int = 0
    posts_unchanged: int = 0
    influencers_created: int = 0
    influencers_updated: int = 0
    # Of the accounts this import names, those whose gender or body size staff have not set yet.
    influencers_needing_curation: int = 0
    images_stored: int = 0
    image_links_queued: int = 0
    queued_for_classification: int = 0
    errors: list[dict] = field(default_factory=list)
    influencer_errors: list[dict] = field(default_factory=list)
    encoding: str = ""  # how the posts file was read ("UTF-8", "CP949", "xlsx", ...)
    influencers_encoding: str = ""
    format: str = ""  # the export it was read as (found from the content unless chosen)
    columns: dict = field(default_factory=dict)  # field -> the file's column it was read from
    # Rows skipped because their account asked to be removed (influencers.suppression).
    suppressed: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def posts_import(
    *,
    posts_data: bytes | Path | None = None,
    posts_name: str = "posts",
    influencers_data: bytes | None = None,
    influencers_name: str = "influencers",
    images: str | Path | None = None,
    format: str = ImportFormat.AUTO,
    progress: ProgressCallback | None = None,
    more_posts: Sequence[tuple[bytes, str]] = (),
    account: str = "",
    mapping: dict | None = None,
) -> ImportReport:
    """Import one export; returns the report. Raises ImportFileError for a broken file.

    `posts_data` is the posts file's bytes, or an instaloader folder (a Path). `format` AUTO
    finds the export from the content. `more_posts` ((data, name), ...) are the further pages of
    a Graph API export split by its `paging`: they import as one file with the first.
    `account` names the account of an export that does not say whose posts they are; `mapping`
    (field -> column) overrides the alias table for a table's columns (by default a mapping saved
    for files with the same headers, if any). The accounts the posts
    name are created when unknown, with gender and body size blank (they need curation); an
    influencers file, when given, sets those.
    """
    if posts_data is None:
        raise ImportFileError(_("Choose a posts file."), code="empty_file")
    import_format_check(format=format, posts_files=1 + len(more_posts))
    account = import_account_check(account=account)
    if format == ImportFormat.AUTO:
        format = import_format_detect(posts_data, posts_name)
        import_format_check(format=format, posts_files=1 + len(more_posts))
    posts = POSTS_READERS[format](
        posts_data,
        posts_name,
        more_pages=more_posts,
        account=account,
        mapping=import_mapping_for_headers if mapping is None else mapping,
    )
    people = influencers_parse(influencers_data, influencers_name) if influencers_data else None
    source = posts.images if posts.images is not None else ImageSource(images)
    report = ImportReport(
        errors=[e.as_dict() for e in posts.errors],
        influencer_errors=[e.as_dict() for e in people.errors] if people else [],
        encoding=posts.encoding,
        influencers_encoding=people.encoding if people else "",
        format=format,
        columns=posts.columns,
    )
    # Accounts removed at their holder's request: their rows are reported and skipped.
    _suppressed_skip(people.rows if people else [], report, "influencers")
    influencer_rows = _suppressed_skip(_influencer_rows(posts, people), report, None)
    posts_rows = _suppressed_skip(posts.rows, report, "posts")
    try:
        with transaction.atomic():
            influencers_upsert(rows=influencer_rows, report=report)
        rows = _rows_with_known_influencer(posts_rows, report)
        total = len(rows)
        post_ids = frozenset(r.post_id for r in posts.rows)
        for start in range(0, total, CHUNK):
            _posts_chunk_import(rows[start : start + CHUNK], source, report, post_ids)
            if progress:
                progress(min(start + CHUNK, total), total)
        if progress and total == 0:
            progress(0, 0)
    finally:
        source.close()
    handles = {r.handle.lower() for r in posts.rows}
    report.influencers_needing_curation = sum(
        1
        for i in Influencer.objects.needing_curation().only("handle")
        if i.handle.lower() in handles
    )
    pages = {name: n for n, (_, name) in enumerate([(posts_data, posts_name), *more_posts])}
    report.errors.sort(
        key=lambda e: (pages.get(e.get("file"), 0), e.get("file", ""), e["row"], e["column"])
    )
    return report


PREVIEW_ROWS = 5


def posts_preview(
    *,
    posts_data: bytes,
    posts_name: str = "posts",
    format: str = ImportFormat.AUTO,
    account: str = "",
    mapping: dict | None = None,
) -> dict:
    """What an import of this file would read, writing nothing: its format, its headers, the
    column chosen for each field (by `mapping`, a saved mapping for these headers, or the alias
    table), the first rows as they will be read and the first bad rows; or the refusal."""
    import_format_check(format=format, posts_files=1)
    account = import_account_check(account=account)
    if format == ImportFormat.AUTO:
        format = import_format_detect(posts_data, posts_name)
    seen = {}

    def saved_or_given(headers):
        seen["headers"] = headers
        return mapping if mapping is not None else import_mapping_for_headers(headers)

    preview = {"format": format, "columns": [], "chosen": {}, "rows": [], "errors": []}
    try:
        parsed = POSTS_READERS[format](
            posts_data, posts_name, account=account, mapping=saved_or_given
        )
    except ImportFileError as exc:
        return {
            **preview,
            "columns": exc.extra.get("columns", []),
            "error": exc.message,
            "refusal": {"code": exc.code, **exc.extra},
        }
    finally:
        preview["headers"] = seen.get("headers", [])
    if parsed.images is not None:
        parsed.images.close()
    preview.update(
        chosen=parsed.columns,
        columns=parsed.all_columns or sorted(set(parsed.columns.values())),
        rows=[
            {
                "row": int(r.row),
                "user_name": r.handle,
                "post_id": r.post_id,
                "text": r.caption[:120],
                "timestamp": r.posted_at.isoformat() if r.posted_at else "",
                "like": "" if r.likes is None else r.likes,
                "video": r.is_video,
                "images": len(r.image_urls) or len(r.image_names or ()),
            }
            for r in parsed.rows[:PREVIEW_ROWS]
        ],
        errors=[e.as_dict() for e in parsed.errors[:PREVIEW_ROWS]],
        saved_mapping=mapping is None
        and bool(seen.get("headers"))
        and import_mapping_for_headers(seen["headers"]) is not None,
    )
    return preview


def import_account_check(*, account: str) -> str:
    """The account named with a file, without its @; ImportFileError when it is no handle."""
    account = (account or "").strip().lstrip("@")
    if account and not HANDLE.match(account):
        raise ImportFileError(
            _("The account is not an Instagram handle: %(value)s") % {"value": repr(account[:40])},
            code="bad_account",
        )
    return account


def import_format_check(*, format: str, posts_files: int) -> None:
    """The one home of what an import's format allows: a known format, and several posts files
    only for the pages of one Graph API export. Raises ImportFileError (before any file is kept)."""
    if format not in IMPORT_FORMATS:
        raise ImportFileError(
            _("Choose one of the formats: %(formats)s.") % {"formats": ", ".join(IMPORT_FORMATS)},
            code="bad_format",
        )
    if posts_files > 1 and format not in (ImportFormat.GRAPH, ImportFormat.AUTO):
        raise ImportFileError(
            _("Only the pages of a Graph API export can be given as several posts files."),
            code="bad_format",
        )


def _influencer_rows(posts, people) -> list[InfluencerRow]:
    """What the posts file says of its accounts, with the influencers file's rows over it."""
    rows = {r.handle.lower(): r for r in posts.influencers}
    for row in people.rows if people else ():
        known = rows.get(row.handle.lower())
        rows[row.handle.lower()] = known.merged(row) if known else row
    return list(rows.values())


def _posts_chunk_import(chunk, source: ImageSource, report: ImportReport, post_ids) -> None:
    """One chunk in one transaction; if it rolls back, the files it stored go too."""
    stored_files: list[str] = []
    try:
        with transaction.atomic():
            changed_image_ids, touched, linked = _posts_upsert(
                chunk, source, report, stored_files, post_ids
            )
            report.image_links_queued += post_image_links_replace(posts_urls=linked)
            _after_chunk(touched, changed_image_ids)
    except BaseException:
        post_image_files_delete(names=stored_files)
        raise
    report.queued_for_classification += len(changed_image_ids)


def _suppressed_skip(rows: list, report: ImportReport, file: str | None) -> list:
    """The rows whose handle is not on the suppression list; the others are reported as skipped
    (an account removed at its holder's request never comes back through an import or refresh).
    file None: skipped without a report line (the rows it came from are reported)."""
    suppressed = suppressed_handles(handles={row.handle for row in rows})
    if not suppressed:
        return rows
    kept = []
    for row in rows:
        if row.handle.lower() in suppressed and file is None:
            continue
        if row.handle.lower() in suppressed:
            report.suppressed.append(
                {
                    "file": file,
                    "row": int(row.row),
                    "handle": row.handle,
                    "reason": SUPPRESSED_REASON,
                }
            )
        else:
            kept.append(row)
    return kept


# The influencer fields an import sets, when a file gives them (InfluencerRow's None or "": not
# given, left as it is). A new influencer's gender and body size stay blank: needs curation.
_INFLUENCER_FIELDS = {
    "gender": "gender",
    "body_size": "body_size",
    "followers": "followers",
    "height_cm": "height_cm",
    "display_name": "display_name",
    "bio": "bio",
    "media_count": "media_count",
}


def influencers_upsert(*, rows: list[InfluencerRow], report: ImportReport) -> None:
    """The one place an import creates or updates influencers (by handle, any case)."""
    existing = {i.handle.lower(): i for i in influencers_by_handle({r.handle for r in rows})}
    to_create, to_update, update_fields = [], [], set()
    for row in rows:
        values = {
            model_field: getattr(row, row_field)
            for row_field, model_field in _INFLUENCER_FIELDS.items()
            if getattr(row, row_field) not in (None, "")
        }
        current = existing.get(row.handle.lower())
        if current is None:
            to_create.append(Influencer(handle=row.handle, **values))
            continue
        changed = [k for k, v in values.items() if getattr(current, k) != v]
        if changed:
            for k in changed:
                setattr(current, k, values[k])
            update_fields.update(changed)
            to_update.append(current)
    Influencer.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Influencer.objects.bulk_update(to_update, sorted(update_fields), batch_size=500)
    renamed = [i.pk for i in to_update] if "display_name" in update_fields else []
    influencer_search_names_rebuild(influencer_ids=[i.pk for i in to_create] + renamed)
    report.influencers_created, report.influencers_updated = len(to_create), len(to_update)


def influencers_by_handle(handles: set[str]):
    """Influencers whose handle matches case-insensitively (handles are unique that way)."""
    lowered = sorted({h.lower() for h in handles})
    found = []
    for start in range(0, len(lowered), 500):
        found += Influencer.objects.annotate(handle_lower=Lower("handle")).filter(
            handle_lower__in=lowered[start : start + 500]
        )
    return found


def _rows_with_known_influencer(
    rows: list[PostRow], report: ImportReport
) -> list[tuple[PostRow, int]]:
    known = {i.handle.lower(): i.pk for i in influencers_by_handle({r.handle for r in rows})}
    kept = []
    for row in rows:
        pk = known.get(row.handle.lower())
        if pk is None:
            report.errors.append(
                RowError(
                    row.row,
                    "user_name",
                    "unknown_influencer",
                    {"handle": row.handle},
                ).as_dict()
            )
        else:
            kept.append((row, pk))
    return kept


def _posts_upsert(chunk, source: ImageSource, report, stored_files: list[str], post_ids):
    """Create or update one chunk's posts; returns (post ids to classify, touched influencers)."""
    changed_image_ids: list[int] = []
    touched: set[int] = set()
    existing = {
        p.instagram_id: p
        for p in Post.objects.filter(instagram_id__in=[r.post_id for r, _ in chunk])
    }
    stored_extras: dict[int, list[str]] = defaultdict(list)  # post pk -> its extra images' hashes
    for extra in PostImage.objects.filter(post__in=existing.values()).order_by("position"):
        stored_extras[extra.post_id].append(extra.image_sha256)
    to_create, to_update, update_fields = [], [], set()
    # (post, position, stored name, sha256) of the extra images stored so far: their rows are
    # built once the posts are saved; the bytes are stored as each row is read, never held for
    # the whole chunk.
    extras: list[tuple[Post, int, str, str]] = []
    replaced: list[Post] = []  # existing posts whose images change: their old extras go
    # (post, its image links) for posts the export gives links, not files, for: fetched later.
    linked: list[tuple[Post, tuple[str, ...]]] = []
    for row, influencer_id in chunk:
        images = None  # the previous row's images are stored by now: let them go first
        images = _images_for(row, source, report, post_ids)
        if images is False:
            continue  # a bad image makes a bad row: reported, not imported
        values = {
            "caption": row.caption,
            "posted_at": row.posted_at,
            "likes": row.likes,
            "is_video": row.is_video,
            "is_sponsored": is_sponsored(row.caption),
        }
        if row.prototype_style is not None:
            values["prototype_style"] = row.prototype_style
        if row.permalink:  # a source without addresses leaves a stored one alone
            values["permalink"] = row.permalink
        post = existing.get(row.post_id)
        if post is None:
            post = Post(instagram_id=row.post_id, influencer_id=influencer_id, **values)
            _attach_image(post, images[0] if images else None, stored_files, report)
            if images:
                post.extra_image_count = len(images) - 1
                extras += _extras_store(post, images[1:], stored_files, report)
            to_create.append(post)
            touched.add(influencer_id)
            if not images and row.image_urls:
                linked.append((post, row.image_urls))
            continue
        if post.influencer_id != influencer_id:
            report.errors.append(
                RowError(
                    row.row,
                    "post_id",
                    "other_influencers_post",
                    {"handle": row.handle},
                ).as_dict()
            )
            continue
        changed = [k for k, v in values.items() if getattr(post, k) != v]
        for k in changed:
            setattr(post, k, values[k])
        if images and [i.sha256 for i in images] != [
            post.image_sha256,
            *stored_extras[post.pk],
        ]:
            post_image_files_delete_on_commit(names=[post.image.name])
            _attach_image(post, images[0], stored_files, report)
            changed += ["image", "image_sha256", *CLASSIFICATION_RESULT_FIELDS, "extra_image_count"]
            changed_image_ids.append(post.pk)
            post.extra_image_count = len(images) - 1
            replaced.append(post)
            extras += _extras_store(post, images[1:], stored_files, report)
        if not post.image and row.image_urls:
            linked.append((post, row.image_urls))
        if changed:
            update_fields.update(changed)
            to_update.append(post)
            touched.add(influencer_id)
            report.posts_updated += 1
        else:
            report.posts_unchanged += 1
    created = Post.objects.bulk_create(to_create, batch_size=1000)
    report.posts_created += len(created)
    changed_image_ids += [p.pk for p in created if p.image]
    if to_update:
        Post.objects.bulk_update(to_update, sorted(update_fields), batch_size=1000)
    # In one query: with post_image_deleted connected, QuerySet.delete() still sends post_delete
    # for each row, so each old file goes once the chunk commits.
    PostImage.objects.filter(post__in=replaced).delete()
    PostImage.objects.bulk_create(
        [
            PostImage(post=post, position=position, image=name, image_sha256=sha256)
            for post, position, name, sha256 in extras
        ],
        batch_size=1000,
    )
    return changed_image_ids, touched, linked


def _images_for(row: PostRow, source: ImageSource, report: ImportReport, post_ids):
    """The post's validated images, cover first ([] when it has none), or False when one is
    rejected: a carousel is imported whole or reported, never stored with images missing."""
    missing = source.album_images_missing(row.child_ids, video_child_ids=row.video_child_ids)
    if missing:
        report.errors.append(
            RowError(
                row.row, "image", "carousel_image_missing", {"names": ", ".join(missing)}
            ).as_dict()
        )
        return False
    # `<post_id>_<n>` never equals post_id: the import's whole id set can be passed as it is.
    if row.image_names is not None:  # the export names its files itself (instaloader)
        names = list(row.image_names)
    else:
        names = source.post_image_names(
            row.post_id, child_ids=row.child_ids, import_post_ids=post_ids
        )
    if len(names) > POST_IMAGES_MAX:
        report.errors.append(
            RowError(
                row.row, "image", "too_many_images", {"count": len(names), "limit": POST_IMAGES_MAX}
            ).as_dict()
        )
        return False
    images = []
    for name in names:
        try:
            file_name, data = source.lookup(name)
            images.append(image_validate(data=data, filename=file_name))
        except ImageRejected as exc:
            # The English message and its values: each reader sees it in their own language.
            detail = {"code": exc.code, "detail": exc.message_id, "detail_params": exc.params}
            report.errors.append(
                (
                    RowError(row.row, "image", "carousel_image_refused", {**detail, "name": name})
                    if len(names) > 1
                    else RowError(row.row, "image", "image_refused", detail)
                ).as_dict()
            )
            return False
    return images


def _extras_store(
    post: Post, images: list[ValidatedImage], stored_files: list[str], report: ImportReport
) -> list[tuple[Post, int, str, str]]:
    """Store a post's extra images (positions from 2); their rows come once the post is saved."""
    return [
        (post, position, _image_store(image, stored_files, report), image.sha256)
        for position, image in enumerate(images, start=2)
    ]


def _image_store(image: ValidatedImage, stored_files: list[str], report: ImportReport) -> str:
    """Store one image under a generated name, listed so that a rolled-back chunk deletes it."""
    file = image.as_file()
    stored = default_storage.save(f"posts/{file.name}", file)
    stored_files.append(stored)
    report.images_stored += 1
    return stored


def _attach_image(post: Post, image, stored_files: list[str], report: ImportReport) -> None:
    if image is None:
        if not post.image:  # a post without an image is 'no image', not waiting for a model
            post_classification_reset(post)
        return
    stored = _image_store(image, stored_files, report)
    post.image.name = stored
    post.image_sha256 = image.sha256
    post_classification_reset(post)  # the old result described the old image


def _after_chunk(influencer_ids: set[int], post_ids_to_classify: list[int]) -> None:
    """Inside the chunk's transaction: imputation and profiles of touched accounts; their
    summaries and the new images' classification are queued to run once it commits."""
    influencer_profiles_rebuild(influencer_ids=influencer_ids)
    if post_ids_to_classify:
        posts_need_classification.send(sender=Post, post_ids=post_ids_to_classify)
    influencer_summaries_schedule(influencer_ids=influencer_ids)
