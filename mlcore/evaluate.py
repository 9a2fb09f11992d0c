"""Evaluate a checkpoint: `python -m mlcore.evaluate --data DIR --model FILE [--json OUT]`."""

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from mlcore.inference import StyleClassifier, StylePrediction
from mlcore.kfashion import KFashionRecord, records_scan, stratified_split
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

    from mlcore.wordcloud_render import korean_font_path

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
    """Metrics of a checkpoint on records; int8 calibrates on calibration_sources (training
    images, ideally) or else on the first 64 records."""
    if calibration_sources is None:
        calibration_sources = [r.image_path for r in records[:64]]
    classifier = StyleClassifier(
        model_path,
        quantized=quantized,
        threads=threads,
        calibration_sources=calibration_sources,
    )
    results = classifier.predict([r.image_path for r in records], batch_size=batch_size)
    labels, probs = [], []
    unreadable = 0
    for record, result in zip(records, results, strict=True):
        if isinstance(result, StylePrediction):
            labels.append(record.style)
            probs.append(result.probabilities)
        else:
            unreadable += 1
    metrics = metrics_compute(labels, probs, classifier.checkpoint.classes)
    metrics["unreadable"] = unreadable
    return metrics


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--json", type=Path, help="write metrics JSON here (PNG beside it)")
    parser.add_argument(
        "--split",
        choices=["val", "all"],
        default="val",
        help="the training run's held-out part (same seed) or every image",
    )
    parser.add_argument("--val-fraction", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--int8", action="store_true")
    args = parser.parse_args(argv)
    records = [r for r in records_scan(args.data) if r.style in STYLE_CODES]
    if args.split == "val":
        _, records = stratified_split(records, val_fraction=args.val_fraction, seed=args.seed)
    metrics = evaluate(args.model, records, quantized=args.int8)
    print(
        f"images {metrics['images']}  top-1 {metrics['top1']:.4f}  top-3 {metrics['top3']:.4f}  "
        f"majority baseline {metrics['majority_baseline']:.4f} ({metrics['majority_style']})"
    )
    for code, row in metrics["per_style"].items():
        print(
            f"  {BY_CODE[code].korean:>10}  P {row['precision']:.3f}  R {row['recall']:.3f}  "
            f"F1 {row['f1']:.3f}  n={row['support']}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
        confusion_png_save(metrics, args.json.with_suffix(".png"))
        print(f"wrote {args.json} and {args.json.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
