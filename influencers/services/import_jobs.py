"""Imports started from admin or the API: files kept in storage, run by a worker, progress saved."""

import io
import shutil
import tempfile
import uuid
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.jobs import claim, deadline_passed_before, enqueue, enqueue_on_commit
from influencers.constants import IMPORT_FILE_MAX_BYTES
from influencers.imports import ImportFileError
from influencers.models import ImportFormat, ImportJob
from influencers.services.imports import (
    import_account_check,
    import_format_check,
    posts_import,
)
from influencers.tasks import import_job_run_task

Status = ImportJob.Status


def import_job_start(
    *,
    user,
    posts_file,
    influencers_file=None,
    images_file=None,
    format: str = ImportFormat.AUTO,
    more_posts_files=(),
    account: str = "",
    mapping: dict | None = None,
) -> ImportJob:
    """Store the uploaded files and queue the import; returns the job to follow.

    `more_posts_files` are the further pages of a Graph API export (imported as one with the
    first)."""
    more_posts_files = list(more_posts_files)
    import_format_check(format=format, posts_files=1 + len(more_posts_files))
    account = import_account_check(account=account)
    for f in (posts_file, *more_posts_files, influencers_file, images_file):
        _size_check(f)
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=user,
            source_name=posts_file.name[:255],
            format=format,
            queued_at=timezone.now(),
        )
        stored = {}
        pages = [(f"posts_{n}", f) for n, f in enumerate(more_posts_files, start=2)]
        for key, f in (
            ("posts", posts_file),
            *pages,
            ("influencers", influencers_file),
            ("images", images_file),
        ):
            if f is not None:
                suffix = ".zip" if key == "images" else ".data"
                stored[key] = default_storage.save(f"imports/{job.pk}/{key}{suffix}", f)
        job.report = {
            "files": stored,
            "names": {
                "posts": posts_file.name,
                "influencers": getattr(influencers_file, "name", ""),
                "posts_pages": [f.name for _, f in pages],
            },
            "account": account,
            "mapping": mapping,
        }
        job.save(update_fields=["report"])
        enqueue_on_commit(
            import_job_run_task, job.pk, on_unavailable=lambda exc: _note_queue_down(job.pk)
        )
    return job


PREVIEW_SALT = "influencers.import-preview"
PREVIEW_MAX_AGE_S = 6 * 3600


def import_preview_keep(*, posts_file) -> str:
    """Keep an uploaded posts file for the import preview; returns a signed token naming it (the
    page carries the token, never a path it could change)."""
    _size_check(posts_file)
    key = default_storage.save(f"imports/preview/{uuid.uuid4().hex}.data", posts_file)
    return signing.dumps({"key": key, "name": posts_file.name[:255]}, salt=PREVIEW_SALT)


def import_preview_file(*, token: str) -> File:
    """The kept file of a preview token (named as uploaded); ApplicationError when it is gone."""
    try:
        kept = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE_S)
    except signing.BadSignature as exc:
        raise ApplicationError(
            _("The preview has expired: choose the file again."), code="preview_expired"
        ) from exc
    if not default_storage.exists(kept["key"]):
        raise ApplicationError(
            _("The preview has expired: choose the file again."), code="preview_expired"
        )
    with default_storage.open(kept["key"], "rb") as fp:
        return File(io.BytesIO(fp.read()), name=kept["name"])


def import_preview_discard(*, token: str) -> None:
    try:
        kept = signing.loads(token, salt=PREVIEW_SALT)
    except signing.BadSignature:
        return
    default_storage.delete(kept["key"])


def _size_check(f) -> None:
    if f is not None and f.size > IMPORT_FILE_MAX_BYTES:
        raise ApplicationError(
            _("%(name)s is larger than %(mb)d MB.")
            % {"name": f.name, "mb": IMPORT_FILE_MAX_BYTES // 2**20},
            code="file_too_large",
        )


def _note_queue_down(job_id: int) -> None:
    ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status_message=_(
            "The work queue is unavailable; the import is kept and starts automatically."
        )
    )


def import_job_run(*, job_id: int) -> ImportJob:
    """Claim a queued job, run the import service on its stored files, record the outcome."""
    now = timezone.now()
    jobs = ImportJob.objects.filter(pk=job_id)
    claimed = claim(
        jobs,
        source=Status.QUEUED,
        target=Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        status_message="",
    )
    if not claimed:
        return jobs.get()  # delivered twice, or already finished
    job = jobs.get()
    files = job.report.get("files", {})
    names = job.report.get("names", {})

    def progress(done, total):
        jobs.update(processed_rows=done, total_rows=total, heartbeat_at=timezone.now())

    with tempfile.TemporaryDirectory(prefix="stylematch-import-") as tmp:
        try:
            images = None
            if files.get("images"):
                images = Path(tmp) / "images.zip"
                with default_storage.open(files["images"], "rb") as src, open(images, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            with default_storage.open(files["posts"], "rb") as fp:
                posts_data = fp.read()
            more_posts = []
            for n, page_name in enumerate(names.get("posts_pages", []), start=2):
                with default_storage.open(files[f"posts_{n}"], "rb") as fp:
                    more_posts.append((fp.read(), page_name))
            influencers_data = None
            if files.get("influencers"):
                with default_storage.open(files["influencers"], "rb") as fp:
                    influencers_data = fp.read()
            report = posts_import(
                posts_data=posts_data,
                posts_name=names.get("posts", "posts"),
                influencers_data=influencers_data,
                influencers_name=names.get("influencers") or "influencers",
                images=images,
                format=job.format,
                progress=progress,
                more_posts=more_posts,
                account=job.report.get("account", ""),
                mapping=job.report.get("mapping"),
            )
        except ImportFileError as exc:
            job.status, job.error = Status.FAILED, exc.message
            # as data too, so that each reader sees it in their own language
            job.report = {**job.report, "refusal": {"code": exc.code, **exc.extra}}
        except SoftTimeLimitExceeded:
            job.status, job.error = (
                Status.FAILED,
                _(
                    "The import took longer than its time limit and was stopped; the rows already "
                    "imported stay, and importing the same file again completes it."
                ),
            )
        except Exception as exc:  # unexpected: record it on the job, never leave it running
            job.status, job.error = Status.FAILED, f"{type(exc).__name__}: {exc}"
        else:
            job.status = Status.DONE
            job.report = {**job.report, **report.as_dict()}
        finally:
            _stored_files_delete(job)
    job.refresh_from_db(fields=["processed_rows", "total_rows"])
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "report", "finished_at"])
    return job


def _stored_files_delete(job: ImportJob) -> None:
    for name in job.report.get("files", {}).values():
        default_storage.delete(name)


def import_jobs_reconcile(*, now=None) -> dict:
    """Fail jobs whose worker died (no heartbeat past the deadline); re-queue ones never started."""
    now = now or timezone.now()
    cutoff = deadline_passed_before("import", now=now)
    counts = {"failed": 0, "requeued": 0}
    for job in ImportJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff):
        failed = claim(
            ImportJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at),
            source=Status.RUNNING,
            target=Status.FAILED,
            finished_at=now,
            error=_(
                "The import stopped: its worker ended after %(done)d of %(total)d rows. Rows "
                "already imported stay; importing the same file again completes it."
            )
            % {"done": job.processed_rows, "total": job.total_rows},
        )
        if failed:
            _stored_files_delete(job)
            counts["failed"] += 1
    for job_id in ImportJob.objects.filter(status=Status.QUEUED, queued_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(queued_at=now)
        counts["requeued"] += enqueue(import_job_run_task, job_id)
    return counts
