"""Evaluate a checkpoint: `python -m mlcore.evaluate --data DIR --model FILE [--json OUT]`.

On a folder the model was not trained on, every labelled image is evaluated; on its own training
folder (its data fingerprint tells) only the held-out split, rebuilt with the training run's seed.
Reports top-1, top-3, per-style precision/recall/F1, the majority baseline, a confusion matrix
and the expected calibration error before and after the checkpoint's temperature.
"""

import argparse
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from mlcore.calibration import ECE_BINS, expected_calibration_error
from mlcore.inference import StyleClassifier
from mlcore.kfashion import (
    DataSplit,
    KFashionRecord,
    data_fingerprint,
    held_out_split,
    records_scan,
    training_sample,
)
from mlcore.model import StyleCheckpoint
from mlcore.styles import BY_CODE, STYLE_CODES, TAXONOMY_INDEX


def metrics_compute(labels: list[str], predictions: list[np.ndarray], classes: list[str]) -> dict:
    """Top-1, top-3, per-style precision/recall/F1, majority baseline and confusion matrix."""
    cols = [TAXONOMY_INDEX[c] for c in classes]
    index = {c: i for i, c in enumerate(classes)}
    n = len(labels)
    confusion = np.zeros((len(classes), len(classes)), dtype=int)
    top1 = top3 = 0
    for label, probs in zip(labels, predictions, strict=True):
        scores = probs[cols]
        order = np.argsort(-scores, kind="stable")
        truth = index.get(label)
        if truth is None:
            continue
        confusion[truth, order[0]] += 1
        top1 += order[0] == truth
        top3 += truth in order[:3]
    per_style = {}
    for i, code in enumerate(classes):
        tp = confusion[i, i]
        precision = tp / confusion[:, i].sum() if confusion[:, i].sum() else 0.0
        recall = tp / confusion[i, :].sum() if confusion[i, :].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_style[code] = {
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "support": int(confusion[i, :].sum()),
        }
    counts = Counter(labels)
    majority_style, majority_count = counts.most_common(1)[0] if counts else ("", 0)
    return {
        "images": n,
        "top1": float(top1 / n) if n else 0.0,
        "top3": float(top3 / n) if n else 0.0,
        "majority_baseline": float(majority_count / n) if n else 0.0,
        "majority_style": majority_style,
        "per_style": per_style,
        "classes": classes,
        "confusion_matrix": confusion.tolist(),
    }


def confusion_png_save(metrics: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    from mlcore.fonts import korean_font_path

    font_manager.fontManager.addfont(korean_font_path())  # Hangul style names on the axes
    plt.rcParams["font.family"] = font_manager.FontProperties(fname=korean_font_path()).get_name()

    matrix = np.array(metrics["confusion_matrix"])
    names = [BY_CODE[c].korean for c in metrics["classes"]]
    size = max(4, 0.45 * len(names) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, str(value), ha="center", va="center", fontsize=8)
    ax.set_title(f"top-1 {metrics['top1']:.3f}  top-3 {metrics['top3']:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def evaluate(
    model_path: Path,
    records: list[KFashionRecord],
    *,
    batch_size: int = 32,
    quantized: bool = False,
    threads: int | None = None,
    calibration_sources=None,
) -> dict:
    """Metrics of a checkpoint on records, as the product shows them (calibrated), and the
    expected calibration error before and after its temperature.

    int8 calibrates its activation ranges on calibration_sources (training images, ideally) or
    else on the first 64 records.
    """
    if calibration_sources is None:
        calibration_sources = [r.image_path for r in records[:64]]
    classifier = StyleClassifier(
        model_path,
        quantized=quantized,
        threads=threads,
        calibration_sources=calibration_sources,
    )
    outputs = classifier.predict_logits([r.image_path for r in records], batch_size=batch_size)
    read = [(r, o) for r, o in zip(records, outputs, strict=True) if isinstance(o, torch.Tensor)]
    labels = [r.style for r, _ in read]
    logits = torch.stack([o for _, o in read]) if read else torch.empty(0)
    calibrated = classifier.probabilities(logits)
    metrics = metrics_compute(labels, list(calibrated), classifier.checkpoint.classes)
    metrics["unreadable"] = len(records) - len(read)
    metrics["calibration"] = calibration_compare(
        labels,
        as_trained=classifier.probabilities(logits, temperature=1.0),
        calibrated=calibrated,
        temperature=classifier.checkpoint.temperature,
    )
    return metrics


def calibration_compare(
    labels: list[str], *, as_trained: np.ndarray, calibrated: np.ndarray, temperature: float
) -> dict:
    """Expected calibration error of the same predictions before and after temperature scaling."""
    # A style the model does not know has no column: never predicted, always a wrong answer.
    truth = np.array([TAXONOMY_INDEX[label] for label in labels], dtype=np.int64)
    return {
        "ece_bins": ECE_BINS,
        "ece_before": expected_calibration_error(as_trained, truth),
        "ece_after": expected_calibration_error(calibrated, truth),
        "temperature": temperature,
    }


@dataclass(frozen=True)
class EvaluationSet:
    """The images to evaluate a checkpoint on, and in words which they are."""

    records: list[KFashionRecord]
    held_out_only: bool
    description: str
    calibration_sources: list[Path]  # for int8 activation ranges: training images when known


def evaluation_set_select(data: Path, checkpoint: StyleCheckpoint) -> EvaluationSet:
    """The held-out split when data is the checkpoint's training folder, else every image.

    The data fingerprint tells: the same sample of the same folder hashes the same. A checkpoint
    that predates the recorded split is checked against the training defaults.
    """
    data = Path(data)
    records = records_scan(data)
    split = checkpoint.split or DataSplit()
    sample = training_sample(records, split)
    if sample and data_fingerprint(sample, data) == checkpoint.data_fingerprint:
        return _held_out_set(data, sample, split, split_recorded=checkpoint.split is not None)
    return _whole_folder_set(data, records, split_recorded=checkpoint.split is not None)


def _held_out_set(
    data: Path, sample: list[KFashionRecord], split: DataSplit, *, split_recorded: bool
) -> EvaluationSet:
    train_part, held_out = held_out_split(sample, split)
    description = (
        f"held-out {split.val_fraction:.0%} of {data.name} (the model's training folder, "
        f"same seeded split as training, seed {split.seed}): {len(held_out)} images"
    )
    if not split_recorded:
        description += " (split not recorded in the checkpoint: the training defaults assumed)"
    return EvaluationSet(
        records=held_out,
        held_out_only=True,
        description=description,
        calibration_sources=[r.image_path for r in train_part[:64]],
    )


def _whole_folder_set(
    data: Path, records: list[KFashionRecord], *, split_recorded: bool
) -> EvaluationSet:
    labelled = [r for r in records if r.style in STYLE_CODES]
    description = (
        f"every image of {data.name} (not the model's training folder): {len(labelled)} images"
    )
    if not split_recorded:
        description += (
            " (the checkpoint does not record how it split its training data; if this is its "
            "training folder, these figures include training images)"
        )
    return EvaluationSet(
        records=labelled,
        held_out_only=False,
        description=description,
        calibration_sources=[r.image_path for r in labelled[:64]],
    )


def parser_build(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        required=True,
        type=Path,
        help="K-Fashion folder: every image of a new folder, the held-out split of the training one",
    )
    parser.add_argument("--model", required=True, type=Path, help="checkpoint file")
    parser.add_argument("--json", type=Path, help="write metrics JSON here (PNG beside it)")
    parser.add_argument("--int8", action="store_true", help="evaluate the int8 model")
    return parser


def evaluation_run(args, write: Callable[[str], object] = print) -> dict:
    """Choose the images, evaluate, report; what both the module and the manage.py command run."""
    checkpoint = StyleCheckpoint.load(args.model)
    chosen = evaluation_set_select(Path(args.data), checkpoint)
    write(f"evaluating on {chosen.description}")
    metrics = evaluate(
        Path(args.model),
        chosen.records,
        quantized=args.int8,
        calibration_sources=chosen.calibration_sources,
    )
    metrics["evaluation_set"] = {
        "description": chosen.description,
        "held_out_only": chosen.held_out_only,
        "images": len(chosen.records),
    }
    report_write(metrics, write)
    if args.json:
        json_path = Path(args.json)
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
        confusion_png_save(metrics, json_path.with_suffix(".png"))
        write(f"wrote {json_path} and {json_path.with_suffix('.png')}")
    return metrics


def report_write(metrics: dict, write: Callable[[str], object]) -> None:
    calibration = metrics["calibration"]
    write(
        f"images {metrics['images']}  top-1 {metrics['top1']:.4f}  top-3 {metrics['top3']:.4f}  "
        f"majority baseline {metrics['majority_baseline']:.4f} ({metrics['majority_style']})"
    )
    write(
        f"expected calibration error ({calibration['ece_bins']} equal-width bins): "
        f"{calibration['ece_before']:.4f} before, {calibration['ece_after']:.4f} after "
        f"temperature scaling (T = {calibration['temperature']:.3f})"
    )
    for code, row in metrics["per_style"].items():
        write(
            f"  {BY_CODE[code].korean:>10}  P {row['precision']:.3f}  R {row['recall']:.3f}  "
            f"F1 {row['f1']:.3f}  n={row['support']}"
        )


def main(argv=None) -> int:
    evaluation_run(parser_build().parse_args(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
