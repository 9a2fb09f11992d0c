from django.core.management.base import BaseCommand, CommandError

from common.errors import ApplicationError
from recommender.services.registry import model_version_register


class Command(BaseCommand):
    help = "Add a trained checkpoint to the model registry (optionally activating it)."

    def add_arguments(self, parser):
        parser.add_argument("checkpoint")
        parser.add_argument("--name", default="")
        parser.add_argument("--activate", action="store_true")

    def handle(self, *args, checkpoint, name, activate, **options):
        try:
            version = model_version_register(
                checkpoint_path=checkpoint, name=name, activate=activate
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"model version {version.pk}: {version}"))
