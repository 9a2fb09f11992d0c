from django.core.management.base import BaseCommand

from common.jobs import task_logs_quiet
from recommender.services.demo_model import demo_model_ensure


class Command(BaseCommand):
    help = "Train the demo style model on generated images (cached) and register it."

    def handle(self, *args, **options):
        with task_logs_quiet():
            version = demo_model_ensure()
        self.stdout.write(
            self.style.SUCCESS(
                f"demo model version {version.pk} ({'active' if version.is_active else 'inactive'}), "
                f"validation top-1 {version.validation_accuracy:.1%} on generated images"
            )
        )
