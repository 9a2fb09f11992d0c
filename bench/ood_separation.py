"""How well the energy score (mlcore.ood) tells photos unlike a model's training photos apart.

A demo-recipe model is trained on generated pictures (as `make run` trains the demo model, smaller),
its energy threshold set on its validation split. Then the energies of held-out generated pictures
(like the training ones) are compared with those of real photos, and real fashion photos with
non-photos, as AUROC (1.0: every unlike image scores higher; 0.5: no better than chance), with
the share of each set the stored threshold calls "unlike the training photos".

The shared data holds no non-fashion photos: the "non-fashion" set is synthetic (flat colours,
noise, gradients), said so in the output.

usage: python bench/ood_separation.py [--per-style 12] [--epochs 3] [--photos 120]
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def non_photos(n: int, rng) -> list[bytes]:
    out = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            image = Image.new("RGB", (200, 250), tuple(int(c) for c in rng.integers(0, 256, 3)))
        elif kind == 1:
            image = Image.fromarray(rng.integers(0, 256, (250, 200, 3), dtype=np.uint8))
        else:
            ramp = np.linspace(0, 255, 200, dtype=np.uint8)
            image = Image.fromarray(np.stack([np.tile(ramp, (250, 1))] * 3, axis=2))
        out.append(jpeg(image))
    return out


def energies(classifier, sources) -> np.ndarray:
    return np.array([p.energy for p in classifier.predict(sources) if hasattr(p, "energy")])


def main():
    from mlcore.demo_images import demo_image_draw, demo_training_set_write
    from mlcore.inference import StyleClassifier
    from mlcore.model import StyleCheckpoint
    from mlcore.ood import auroc
    from mlcore.preprocessing import Preprocessing
    from mlcore.styles import STYLES
    from mlcore.train import RECIPES, Recipe, TrainConfig, train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-style", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--photos", type=int, default=120)
    parser.add_argument(
        "--data",
        default=os.environ.get("STYLEMATCH_SHARED_DATA", str(ROOT.parent / "shared" / "data")),
    )
    args = parser.parse_args()
    data = Path(args.data)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = demo_training_set_write(
            Path(tmp) / "train", per_style=args.per_style, size=(96, 120)
        )
        out = Path(tmp) / "model.pt"
        started = time.perf_counter()
        recipe = Recipe(
            **{
                **RECIPES["small-data"].__dict__,
                "name": "bench",
                "epochs": args.epochs,
                "batch_size": 32,
                "warmup_epochs": 0,
            }
        )
        train(
            TrainConfig(
                data=folder,
                out=out,
                recipe=recipe,
                device="cpu",
                val_fraction=0.25,
                workers=0,
                preprocessing=Preprocessing(resize=96, crop=80),
                is_demo=True,
                trained_on="generated (bench)",
                progress=False,
                threads=2,
            )
        )
        trained = time.perf_counter() - started
        checkpoint = StyleCheckpoint.load(out)
        threshold = checkpoint.ood_energy_threshold
        classifier = StyleClassifier(out)
        generated = [
            jpeg(demo_image_draw(s.code, 900_000 + n, (96, 120)))
            for n in range(max(2, args.photos // len(STYLES)))
            for s in STYLES
        ]
        garments = sorted((data / "clothing-cc0").rglob("*.jpg"))
        kfashion = sorted((data / "kfashion-sample").rglob("*.jpg"))

        def pick(paths):
            step = max(1, len(paths) // args.photos)
            return [p.read_bytes() for p in paths[::step]][: args.photos]

        sets = {
            "generated (like training)": energies(classifier, generated),
            "real garment photos (clothing-cc0)": energies(classifier, pick(garments)),
            "real fashion photos (K-Fashion)": energies(classifier, pick(kfashion)),
            "synthetic non-photos": energies(classifier, non_photos(args.photos, rng)),
        }
    print(
        f"model: {args.per_style} generated pictures per style, {args.epochs} epochs, "
        f"trained in {trained:.0f} s; threshold {threshold:.2f}"
    )
    for name, values in sets.items():
        print(
            f"{name:40s} n={len(values):4d} median energy {np.median(values):8.2f} "
            f"called unlike: {(values > threshold).mean():.0%}"
        )
    inside = sets["generated (like training)"]
    for name in ("real garment photos (clothing-cc0)", "real fashion photos (K-Fashion)"):
        print(f"AUROC generated vs {name}: {auroc(inside, sets[name]):.3f}")
    print(
        "AUROC real fashion (K-Fashion) vs synthetic non-photos: "
        f"{auroc(sets['real fashion photos (K-Fashion)'], sets['synthetic non-photos']):.3f}"
    )


if __name__ == "__main__":
    main()
