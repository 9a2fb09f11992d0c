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
from influencers.constants import POST_IMAGES_MAX
from influencers.imports.images import ImageSource
from influencers.imports.readers import (
    ImportFileError,
    InfluencerRow,
    PostRow,
    RowError,
    crawl_posts_parse,
    graph_media_parse,
    influencers_parse,
)
from influencers.models import ImportFormat, Influencer, Post, PostImage
from influencers.services.derivatives import (
    post_image_files_delete,
    post_image_files_delete_on_commit,
)
from influencers.services.post_classification import (
    CLASSIFICATION_RESULT_FIELDS,
    post_classification_reset,
)
from influencers.services.profiles import influencer_profiles_rebuild
from influencers.services.summaries import influencer_summaries_schedule
from influencers.signals import posts_need_classification
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
    images_stored: int = 0
    queued_for_classification: int = 0
    errors: list[dict] = field(default_factory=list)
    influencer_errors: list[dict] = field(default_factory=list)
    encoding: str = ""  # how the posts file was read ("UTF-8", "CP949", "xlsx", ...)
    influencers_encoding: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def posts_import(
    *,
    posts_data: bytes,
    posts_name: str = "posts",
    influencers_data: bytes | None = None,
    influencers_name: str = "influencers",
    images: str | Path | None = None,
    format: str = ImportFormat.CRAWL,
    progress: ProgressCallback | None = None,
    more_posts: Sequence[tuple[bytes, str]] = (),
) -> ImportReport:
    """Import one export; returns the report. Raises ImportFileError for a broken file.

    `more_posts` ((data, name), ...) are the further pages of a Graph API export split by its
    `paging`: they import as one file with the first.
    """
    import_format_check(format=format, posts_files=1 + len(more_posts))
    if format == ImportFormat.CRAWL:
        posts = crawl_posts_parse(posts_data, posts_name)
    else:
        posts = graph_media_parse(posts_data, posts_name, more_pages=more_posts)
    people = influencers_parse(influencers_data, influencers_name) if influencers_data else None
    source = ImageSource(images)
    report = ImportReport(
        errors=[e.as_dict() for e in posts.errors],
        influencer_errors=[e.as_dict() for e in people.errors] if people else [],
        encoding=posts.encoding,
        influencers_encoding=people.encoding if people else "",
    )
    try:
        with transaction.atomic():
            _influencers_upsert(people.rows if people else [], report)
        rows = _rows_with_known_influencer(posts.rows, report)
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
    pages = {name: n for n, (_, name) in enumerate([(posts_data, posts_name), *more_posts])}
    report.errors.sort(key=lambda e: (pages.get(e.get("file"), 0), e["row"], e["column"]))
    return report


def import_format_check(*, format: str, posts_files: int) -> None:
    """The one home of what an import's format allows: a known format, and several posts files
    only for the pages of one Graph API export. Raises ImportFileError (before any file is kept)."""
    if format not in IMPORT_FORMATS:
        raise ImportFileError(_("Choose the crawl or graph format."), code="bad_format")
    if posts_files > 1 and format != ImportFormat.GRAPH:
        raise ImportFileError(
            _("Only the pages of a Graph API export can be given as several posts files."),
            code="bad_format",
        )


def _posts_chunk_import(chunk, source: ImageSource, report: ImportReport, post_ids) -> None:
    """One chunk in one transaction; if it rolls back, the files it stored go too."""
    stored_files: list[str] = []
    try:
        with transaction.atomic():
            changed_image_ids, touched = _posts_upsert(
                chunk, source, report, stored_files, post_ids
            )
            _after_chunk(touched, changed_image_ids)
    except BaseException:
        post_image_files_delete(names=stored_files)
        raise
    report.queued_for_classification += len(changed_image_ids)


def _influencers_upsert(rows: list[InfluencerRow], report: ImportReport) -> None:
    existing = {i.handle.lower(): i for i in _influencers_by_handle({r.handle for r in rows})}
    to_create, to_update = [], []
    for row in rows:
        values = {
            "gender": row.gender,
            "body_size": row.body_size,
            "followers": row.followers,
            "height_cm": row.height_cm,
        }
        if row.display_name:
            values["display_name"] = row.display_name
        current = existing.get(row.handle.lower())
        if current is None:
            to_create.append(Influencer(handle=row.handle, **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
    Influencer.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Influencer.objects.bulk_update(
            to_update,
            ["gender", "body_size", "followers", "height_cm", "display_name"],
            batch_size=500,
        )
    report.influencers_created, report.influencers_updated = len(to_create), len(to_update)


def _influencers_by_handle(handles: set[str]):
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
    known = {i.handle.lower(): i.pk for i in _influencers_by_handle({r.handle for r in rows})}
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
    return changed_image_ids, touched


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
    names = source.post_image_names(row.post_id, child_ids=row.child_ids, import_post_ids=post_ids)
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
