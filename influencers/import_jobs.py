"""Imports started from admin or the API: files kept in storage, run by a worker, progress saved."""

import shutil
import tempfile
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from common.errors import ApplicationError
from influencers.imports import ImportFileError, posts_import
from influencers.models import ImportJob

MAX_IMPORT_BYTES = 512 * 1024 * 1024


def import_job_start(
    *, user, posts_file, influencers_file=None, images_file=None, format: str = "crawl"
) -> ImportJob:
    """Store the uploaded files and queue the import; returns the job to follow."""
    for f in (posts_file, influencers_file, images_file):
        if f is not None and f.size > MAX_IMPORT_BYTES:
            raise ApplicationError(f"{f.name} is larger than 512 MB.", code="file_too_large")
    if format not in ("crawl", "graph"):
        raise ApplicationError("Choose the crawl or graph format.", code="bad_format")
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=user, source_name=posts_file.name[:255], format=format
        )
        stored = {}
        for key, f in (
            ("posts", posts_file),
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
            },
        }
        job.save(update_fields=["report"])
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from influencers.tasks import import_job_run_task

    try:
        import_job_run_task.delay(job_id)
    except Exception as exc:  # broker down: say so on the job rather than leaving it silent
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            error=f"work queue unavailable: {exc}",
            finished_at=timezone.now(),
        )


def import_job_run(*, job_id: int) -> ImportJob:
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:  # delivered twice, or already finished
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.get(pk=job_id)
    files = job.report.get("files", {})
    names = job.report.get("names", {})

    def progress(done, total):
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done, total_rows=total)

    with tempfile.TemporaryDirectory(prefix="stylematch-import-") as tmp:
        try:
            images = None
            if files.get("images"):
                images = Path(tmp) / "images.zip"
                with default_storage.open(files["images"], "rb") as src, open(images, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            with default_storage.open(files["posts"], "rb") as fp:
                posts_data = fp.read()
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
            )
        except ImportFileError as exc:
            job.status, job.error = ImportJob.Status.FAILED, exc.message
        except Exception as exc:  # unexpected: record it on the job, never leave it running
            job.status, job.error = ImportJob.Status.FAILED, f"{type(exc).__name__}: {exc}"
        else:
            job.status = ImportJob.Status.DONE
            job.report = {**job.report, **report.as_dict()}
        finally:
            for name in files.values():
                default_storage.delete(name)
    job.refresh_from_db(fields=["processed_rows", "total_rows"])
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "report", "finished_at"])
    return job
