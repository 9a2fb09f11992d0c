import argparse

from django.core.management.base import BaseCommand, CommandError

from mlcore.train import config_from_args, parser_build, train, train_summary
from recommender.services.registry import model_version_register


class Command(BaseCommand):
    help = "Train the ResNet-18 style model on a K-Fashion folder (same as python -m mlcore.train)."

    def add_arguments(self, parser):
        parser_build(parser)
        parser.add_argument(
            "--register", action="store_true", help="add the checkpoint to the model registry"
        )
        parser.add_argument(
            "--activate",
            action="store_true",
            help="register and activate it (re-classifies every post)",
        )

    def handle(self, *args, **options):
        try:
            checkpoint = train(config_from_args(argparse.Namespace(**options)))
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(train_summary(checkpoint, options["out"])))
        if options["register"] or options["activate"]:
            version = model_version_register(
                checkpoint_path=options["out"], activate=options["activate"]
            )
            self.stdout.write(
                f"registered as model version {version.pk} "
                f"({'active' if version.is_active else 'inactive'})"
            )
