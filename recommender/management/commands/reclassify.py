import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from common.errors import ApplicationError
from recommender.models import ReclassificationRun
from recommender.selectors.reclassification import reclassification_latest
from recommender.services.reclassification import reclassification_run_for_cli

# Without a terminal (a log file, CI), one line this often instead of a redrawn bar.
LINE_EVERY_SECONDS = 10.0
WATCH_POLL_SECONDS = 2.0


class Progress:
    """A bar on a terminal; periodic plain lines otherwise (a log stays readable)."""

    def __init__(self, stream, *, is_tty: bool):
        self.stream = stream
        self.bar = tqdm(total=0, unit="post", file=stream, desc="re-classify") if is_tty else None
        self.last_line = 0.0

    def update(self, run: ReclassificationRun) -> None:
        if self.bar is not None:
            self.bar.total = run.total
            self.bar.n = run.done
            self.bar.refresh()
            return
        now = time.monotonic()
        if now - self.last_line >= LINE_EVERY_SECONDS or run.done >= run.total:
            self.last_line = now
            if not run.total:
                self.stream.write("re-classify: no posts to re-classify\n")
            else:
                self.stream.write(f"re-classify: {run.done} / {run.total} posts ({run.percent}%)\n")
            self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = (
        "Re-classify every post with the active style model, streamed in batches (what activating "
        "a model does through the bulk workers). Runs here unless --background is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--progress", action="store_true", help="show progress as it goes")
        parser.add_argument(
            "--background",
            action="store_true",
            help="leave the work to the bulk workers (with --progress: watch it until done)",
        )

    def handle(self, *args, progress=False, background=False, **options):
        bar = Progress(sys.stderr, is_tty=sys.stderr.isatty()) if progress else None
        try:
            run = reclassification_run_for_cli(
                on_batch=bar.update if bar else None, background=background
            )
            if background and bar:
                while run.is_open:
                    time.sleep(WATCH_POLL_SECONDS)
                    run = reclassification_latest(model_version_id=run.model_version_id)
                    bar.update(run)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        finally:
            if bar:
                bar.close()
        self.stdout.write(
            f"run {run.pk} ({run.model_version.name}): {run.get_status_display()}, "
            f"{run.done} / {run.total} posts, {run.classified} classified, "
            f"{run.unclassifiable} cannot be classified"
        )
