import argparse

from django.core.management.base import BaseCommand, CommandError

from mlcore import evaluate
from mlcore.model import CheckpointError


class Command(BaseCommand):
    help = (
        "Evaluate a checkpoint (same as python -m mlcore.evaluate): every image of a new folder, "
        "the held-out split of its training folder; top-1/top-3, per-style P/R/F1, baseline, "
        "confusion matrix, calibration error."
    )

    def add_arguments(self, parser):
        evaluate.parser_build(parser)

    def handle(self, *args, **options):
        try:
            evaluate.evaluation_run(argparse.Namespace(**options), write=self.stdout.write)
        except (CheckpointError, ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
