"""Training recipes compared from scratch on the shared K-Fashion sample, with their calibration.

usage: python bench/train_recipes.py [--epochs 10] [--image-size 96] [--device cpu|cuda] [--threads 1]
                                     [--seeds 0 1 2] [--val-fraction 0.1] [--json OUT]
                                     [--recipes original small-data] [--set FIELD=VALUE ...]
Every recipe trains on the same seeded stratified split per seed (the seed also sets the
initialisation and the batch order), so the recipes are compared pair by pair. Reported per run:
the validation top-1 after the last epoch (no choice made on the validation set, the fair figure),
the best epoch's (what the saved checkpoint keeps, optimistic), and the majority baseline.

Calibration: the temperature training fitted on the validation split, and the expected calibration
error (15 equal-width bins) before and after temperature scaling, measured honestly by cross-fitting
on the validation split: a temperature fitted on one stratified half is judged on the other half,
both ways, averaged (the checkpoint's own val_ece_after is measured on the images it was fitted on).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.calibration import (  # noqa: E402
    expected_calibration_error,
    softmax_with_temperature,
    temperature_fit,
)
from mlcore.inference import StyleClassifier  # noqa: E402
from mlcore.kfashion import (  # noqa: E402
    held_out_split,
    records_scan,
    stratified_split,
    training_sample,
)
from mlcore.preprocessing import Preprocessing  # noqa: E402
from mlcore.train import RECIPES, TrainConfig, train  # noqa: E402

SHARED = Path(
    os.environ.get(
        "STYLEMATCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


def recipe_with(name: str, epochs: int, changes: list[str]):
    """A named recipe, optionally changed field by field (`--set lr=0.1 label_smoothing=0`)."""
    recipe = replace(RECIPES[name], epochs=epochs)
    values = {}
    for change in changes:
        key, _, text = change.partition("=")
        kind = type(getattr(recipe, key))
        values[key] = text.lower() in ("1", "true", "yes") if kind is bool else kind(text)
    if values:
        label = ",".join(f"{k}={v}" for k, v in values.items())
        recipe = replace(recipe, name=f"{name}[{label}]", **values)
    return recipe


def calibration_cross_fitted(checkpoint_path: Path, data: Path) -> dict:
    """ECE before/after temperature scaling on the validation split, fitted and judged on
    different halves of it (both ways, averaged)."""
    classifier = StyleClassifier(checkpoint_path)
    classifier.predict_logits([])  # loads the checkpoint
    checkpoint = classifier.checkpoint
    _, val = held_out_split(training_sample(records_scan(data), checkpoint.split), checkpoint.split)
    halves = stratified_split(val, val_fraction=0.5, seed=checkpoint.split.seed)
    index = {code: i for i, code in enumerate(checkpoint.classes)}
    parts = []
    for half in halves:
        logits = classifier.predict_logits([r.image_path for r in half])
        parts.append(
            (np.stack([z.numpy() for z in logits]), np.array([index[r.style] for r in half]))
        )
    before, after, temperatures = [], [], []
    for (fit_logits, fit_labels), (judge_logits, judge_labels) in (parts, parts[::-1]):
        temperature = temperature_fit(fit_logits, fit_labels)
        temperatures.append(round(temperature, 3))
        before.append(
            expected_calibration_error(softmax_with_temperature(judge_logits), judge_labels)
        )
        after.append(
            expected_calibration_error(
                softmax_with_temperature(judge_logits, temperature), judge_labels
            )
        )
    return {
        "ece_before_cross_fitted": round(statistics.mean(before), 4),
        "ece_after_cross_fitted": round(statistics.mean(after), 4),
        "temperatures_of_the_halves": temperatures,
    }


def run_one(name: str, args, seed: int) -> dict:
    recipe = recipe_with(name, args.epochs, args.set)
    size = args.image_size
    started = time.perf_counter()
    out = Path(tempfile.mkdtemp()) / f"{name}-{seed}.pt"
    checkpoint = train(
        TrainConfig(
            data=SHARED / "kfashion-sample",
            out=out,
            recipe=recipe,
            device=args.device,
            val_fraction=args.val_fraction,
            seed=seed,
            workers=args.workers,
            threads=args.threads,
            preprocessing=Preprocessing(resize=round(size * 8 / 7), crop=size),
            progress=False,
            measure_int8=False,
        )
    )
    metrics = checkpoint.metrics
    history = [round(h["val_accuracy"], 4) for h in metrics["history"]]
    return {
        "recipe": recipe.name,
        "seed": seed,
        "final_top1": history[-1],
        "best_top1": round(metrics["val_top1"], 4),
        "best_epoch": metrics["epoch"],
        "majority_baseline": round(metrics["majority_baseline"], 4),
        "val_images": metrics["val_images"],
        "val_top1_by_epoch": history,
        "train_top1_final": round(metrics["history"][-1]["train_accuracy"], 4),
        "seconds": round(time.perf_counter() - started),
        "temperature": round(checkpoint.temperature, 3),
        "val_ece_before": round(metrics["val_ece_before"], 4),
        "val_ece_after_on_the_fit_set": round(metrics["val_ece_after"], 4),
        **calibration_cross_fitted(out, SHARED / "kfashion-sample"),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--image-size", type=int, default=96)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, help="torch threads (default: one per core)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--val-fraction", type=float, default=0.1)
    parser.add_argument("--recipes", nargs="+", default=["original", "small-data"])
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args()
    runs = []
    for seed in args.seeds:
        for name in args.recipes:
            run = run_one(name, args, seed)
            runs.append(run)
            print(
                f"seed {seed} {run['recipe']:10s} {args.epochs} epochs at {args.image_size} px: "
                f"final val top-1 {run['final_top1']:.3f}, best {run['best_top1']:.3f} "
                f"(epoch {run['best_epoch']}), majority baseline "
                f"{run['majority_baseline']:.3f}, {run['val_images']} val images, "
                f"{run['seconds']} s; temperature {run['temperature']:.2f}, ECE (15 bins, "
                f"cross-fitted halves of the validation split) {run['ece_before_cross_fitted']:.3f} "
                f"before, {run['ece_after_cross_fitted']:.3f} after temperature scaling",
                flush=True,
            )
            if args.json:
                args.json.write_text(json.dumps(runs, indent=1))
    for name in dict.fromkeys(r["recipe"] for r in runs):
        finals = [r["final_top1"] for r in runs if r["recipe"] == name]
        spread = statistics.stdev(finals) if len(finals) > 1 else 0.0
        print(f"{name:10s} final val top-1 mean {statistics.mean(finals):.3f} ± {spread:.3f}")
    if len(args.recipes) == 2 and len(args.seeds) > 1:
        by = {(r["recipe"], r["seed"]): r["final_top1"] for r in runs}
        first, second = dict.fromkeys(r["recipe"] for r in runs)
        gaps = [by[(second, s)] - by[(first, s)] for s in args.seeds]
        print(
            f"{second} − {first}, paired by seed: mean {statistics.mean(gaps):+.3f}, "
            f"per seed {', '.join(f'{g:+.3f}' for g in gaps)}"
        )


if __name__ == "__main__":
    main()
