from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from influencers.imports import ImportFileError
from influencers.models import ImportFormat
from influencers.services.imports import IMPORT_FORMATS, posts_import
from mlcore.progress import progress_bar, progress_callback


def row_label(error: dict) -> str:
    """'row 5', or 'row 5 (line 7)' when a caption's line breaks put the text line elsewhere;
    'page2.json row 5' when the export came as several files."""
    line = error.get("line", error["row"])
    where = f"{error['file']} " if error.get("file") else ""
    return f"{where}row {error['row']}" + (f" (line {line})" if line != error["row"] else "")


class Command(BaseCommand):
    help = (
        "Import influencer posts from a crawl export (CSV, .xlsx or JSON Lines) or Graph API "
        "media JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "posts_file",
            type=Path,
            nargs="+",
            help="the posts file; for a Graph API export split by its paging, every page",
        )
        parser.add_argument("--influencers", type=Path, help="user_name, gender, size [...] file")
        parser.add_argument("--images", type=Path, help="folder or zip of <post_id>.jpg|png|webp")
        parser.add_argument(
            "--format",
            choices=IMPORT_FORMATS,
            default=ImportFormat.AUTO,
            help="the export's format; auto (the default) finds it from the content",
        )
        parser.add_argument(
            "--account",
            default="",
            help="whose posts these are, for an export that does not say (a Graph API answer "
            "without username, a table without an account column)",
        )

    def handle(self, *args, posts_file, influencers, images, format, account, **options):
        posts_file, *more_pages = posts_file
        for path in (posts_file, *more_pages, influencers, images):
            if path is not None and not path.exists():
                raise CommandError(f"{path} does not exist")
        bar = progress_bar(desc="posts", unit="row", total=0)
        progress = progress_callback(bar)

        try:
            report = posts_import(
                posts_data=posts_file if posts_file.is_dir() else posts_file.read_bytes(),
                posts_name=posts_file.name,
                influencers_data=influencers.read_bytes() if influencers else None,
                influencers_name=influencers.name if influencers else "influencers",
                images=images,
                format=format,
                progress=progress,
                more_posts=[(page.read_bytes(), page.name) for page in more_pages],
                account=account,
            )
        except ImportFileError as exc:
            raise CommandError(f"nothing imported: {exc.message}") from exc
        finally:
            bar.close()
        self.stdout.write(
            f"posts: {report.posts_created} created, {report.posts_updated} updated, "
            f"{report.posts_unchanged} unchanged; influencers: {report.influencers_created} "
            f"created, {report.influencers_updated} updated; images stored: "
            f"{report.images_stored}; queued for classification: "
            f"{report.queued_for_classification}; posts file read as {report.encoding}"
            f" ({report.format}); needing curation: {report.influencers_needing_curation}; "
            f"image links queued: {report.image_links_queued}"
        )
        for error in report.influencer_errors + report.errors:
            self.stderr.write(f"{row_label(error)} [{error['column']}]: {error['reason']}")
        for skipped in report.suppressed:
            self.stderr.write(
                f"{skipped['file']} row {skipped['row']}: @{skipped['handle']} skipped "
                f"({skipped['reason']}: its holder asked to be removed)"
            )
        if report.errors or report.influencer_errors:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(report.errors) + len(report.influencer_errors)} row(s) skipped"
                )
            )
