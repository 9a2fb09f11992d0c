"""Refresh influencers from the Instagram Graph API now, in this process, with a progress bar."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from common.errors import ApplicationError
from influencers.graph.errors import refresh_error_text
from influencers.models import Influencer, RefreshRun
from influencers.services.graph_refresh import (
    influencers_track,
    refresh_run_create,
    refresh_run_execute,
)
from mlcore.progress import progress_bar, progress_callback


class Command(BaseCommand):
    help = (
        "Refresh influencers from the Instagram Graph API (business discovery) in the foreground. "
        "Handles not seen before become tracked influencers (gender and body size to curate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("handles", nargs="*", help="Instagram handles to refresh (and track)")
        parser.add_argument(
            "--all", action="store_true", help="every tracked influencer whose refresh is on"
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="at the rate limit, wait for the window to pass and go on (default: stop; the "
            "schedule resumes the run)",
        )

    @translation.override("en")  # the command line speaks English, as import_posts does
    def handle(self, *args, handles, all, wait, **options):
        if not handles and not all:
            raise CommandError("name one or more handles, or --all")
        try:
            influencers, created = influencers_track(handles=handles) if handles else ([], [])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        ids = [i.pk for i in influencers]
        if all:
            tracked = Influencer.objects.filter(tracked=True, refresh_stopped=False)
            ids += [
                pk for pk in tracked.order_by("pk").values_list("pk", flat=True) if pk not in ids
            ]
        for handle in created:
            self.stdout.write(f"@{handle}: new, tracked (gender and body size to curate)")
        run = refresh_run_create(
            influencer_ids=ids, trigger=RefreshRun.Trigger.COMMAND, queue=False
        )
        bar = progress_bar(desc="influencers", unit="account", total=run.total)
        progress = progress_callback(bar)
        try:
            while True:
                run = refresh_run_execute(run_id=run.pk, progress=progress)
                if run.status != RefreshRun.Status.PAUSED or not wait:
                    break
                pause = max((run.resume_at - timezone.now()).total_seconds(), 0) + 1
                bar.write(f"rate limit reached: waiting {pause:.0f} s for the window to pass")
                time.sleep(pause)
        finally:
            bar.close()
        self._summary(run)

    def _summary(self, run: RefreshRun) -> None:
        self.stdout.write(
            f"refresh run #{run.pk}: {run.refreshed} refreshed, {run.failed} failed, "
            f"{run.total - run.done} not reached, of {run.total}; posts: {run.posts_created} "
            f"new, {run.posts_updated} updated; {run.calls} API calls"
        )
        for error in run.errors:
            self.stderr.write(
                f"@{error['handle']}: {refresh_error_text(error['code'], error['detail'])}"
            )
        if run.status == RefreshRun.Status.PAUSED:
            self.stderr.write(
                self.style.WARNING(
                    f"paused at the rate limit until {timezone.localtime(run.resume_at):%H:%M}; "
                    "the schedule resumes it then (or run this command again with --wait)"
                )
            )
        elif run.status == RefreshRun.Status.FAILED:
            raise CommandError(refresh_error_text(run.error_code, run.error_detail))
