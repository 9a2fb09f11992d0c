"""The original recipe against the small-data recipe, from scratch on the shared K-Fashion sample.

usage: python bench/train_recipes.py [--epochs 10] [--image-size 96] [--device cpu|cuda]
Both use the same seeded stratified split; validation top-1 is reported next to the majority baseline.
"""

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.preprocessing import Preprocessing  # noqa: E402
from mlcore.train import RECIPES, TrainConfig, train  # noqa: E402

SHARED = Path(
    os.environ.get(
        "STYLEMATCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--image-size", type=int, default=96)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    size = args.image_size
    for name in ("original", "small-data"):
        recipe = replace(RECIPES[name], epochs=args.epochs)
        started = time.perf_counter()
        checkpoint = train(
            TrainConfig(
                data=SHARED / "kfashion-sample",
                out=Path(tempfile.mkdtemp()) / f"{name}.pt",
                recipe=recipe,
                device=args.device,
                val_fraction=0.1,
                seed=0,
                workers=args.workers,
                preprocessing=Preprocessing(resize=round(size * 8 / 7), crop=size),
                progress=False,
            )
        )
        history = checkpoint.metrics["history"]
        print(
            f"{name:10s} {args.epochs} epochs at {size} px: best val top-1 "
            f"{checkpoint.metrics['val_top1']:.3f} (epoch {checkpoint.metrics['epoch']}), final "
            f"{history[-1]['val_accuracy']:.3f}, majority baseline "
            f"{checkpoint.metrics['majority_baseline']:.3f}, "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
