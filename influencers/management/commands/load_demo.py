from django.core.management.base import BaseCommand

from common.jobs import task_logs_quiet
from influencers.demo import demo_catalogue_load
from influencers.models import Influencer
from mlcore.progress import progress_bar, progress_callback


class Command(BaseCommand):
    help = "Create or refresh the demo catalogue (fictional influencers, generated images)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the catalogue already has influencers",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Influencer.objects.exists():
            self.stdout.write("catalogue not empty; demo data not loaded")
            return
        bar = progress_bar(desc="demo posts (import, classify, word clouds)", unit="post", total=0)
        progress = progress_callback(bar)

        with task_logs_quiet():
            report = demo_catalogue_load(progress=progress)
        bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"demo catalogue: {report['posts_created']} posts created, "
                f"{report['posts_updated']} updated, {report['posts_unchanged']} unchanged, "
                f"{report['influencers_created']} influencers created"
            )
        )
