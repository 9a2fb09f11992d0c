import sys

from django.core.management.base import BaseCommand, CommandError

from mlcore import evaluate


class Command(BaseCommand):
    help = "Evaluate a checkpoint: top-1/top-3, per-style P/R/F1, baseline, confusion matrix."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True)
        parser.add_argument("--model", required=True)
        parser.add_argument("--json")
        parser.add_argument("--split", choices=["val", "all"], default="val")
        parser.add_argument("--int8", action="store_true")

    def handle(self, *args, data, model, json, split, int8, **options):
        argv = ["--data", data, "--model", model, "--split", split]
        argv += ["--json", json] if json else []
        argv += ["--int8"] if int8 else []
        try:
            evaluate.main(argv)
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        sys.stdout.flush()
