"""Style-model throughput on this machine: forward-only fp32/int8 at batch 1 and 32, the whole
pipeline on real 800 px JPEGs and on their stored classification derivatives (what catalogue
classification reads), and the prototype's way (model loaded per prediction) as baseline.

usage: python bench/inference_throughput.py [--checkpoint FILE] [--threads 2] [--decode-workers 2]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.images import classification_derivative, image_open  # noqa: E402
from mlcore.inference import StyleClassifier  # noqa: E402
from mlcore.model import StyleCheckpoint  # noqa: E402
from mlcore.network import FeatureNet, resnet18_build  # noqa: E402
from mlcore.preprocessing import Preprocessing  # noqa: E402
from mlcore.quantize import int8_quantize  # noqa: E402
from mlcore.styles import STYLE_CODES  # noqa: E402
from mlcore.transforms import eval_transform  # noqa: E402

SHARED = Path(
    os.environ.get(
        "STYLEMATCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


# The 64 photos go through each pipeline this many times, so a figure covers several seconds.
PIPELINE_ROUNDS = 4


def timed(fn, repeat):
    fn()  # warm-up
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--decode-workers", type=int, default=2, help="the pipeline's decoding threads"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved rounds of the int8 ratio measurement"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    images = sorted((SHARED / "kfashion-original").rglob("*.jpg"))
    images += sorted((SHARED / "clothing-cc0").rglob("*.jpg"))[:32]
    images = images[:64]
    path = args.checkpoint
    if path is None:  # a full-size 23-style model (random weights: speed does not depend on them)
        path = Path(tempfile.mkdtemp()) / "bench.pt"
        StyleCheckpoint(
            classes=list(STYLE_CODES),
            state_dict=resnet18_build(len(STYLE_CODES)).state_dict(),
            preprocessing=Preprocessing(),
        ).save(path)
    checkpoint = StyleCheckpoint.load(path)
    transform = eval_transform(checkpoint.preprocessing)
    fp32 = FeatureNet(checkpoint.model()).eval()
    calibration = [
        torch.stack([transform(image_open(p)) for p in images[i : i + 16]])
        for i in range(0, 64, 16)
    ]
    int8 = int8_quantize(fp32, calibration)
    print(
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, {len(images)} real JPEGs "
        f"(K-Fashion originals 800 px wide + CC0 product photos)"
    )
    rows = []
    for name, net in (("fp32", fp32), ("int8", int8)):
        for batch in (1, 32):
            x = torch.randn(batch, 3, 224, 224)
            with torch.inference_mode():
                seconds = timed(lambda net=net, x=x: net(x), 8 if batch == 32 else 20)
            rows.append((f"forward-only {name} batch {batch}", batch / seconds))
    derivatives = [
        classification_derivative(p, short_side=checkpoint.preprocessing.resize) for p in images
    ]
    for name, quantized in (("fp32", False), ("int8", True)):
        classifier = StyleClassifier(
            path,
            threads=args.threads,
            quantized=quantized,
            calibration_sources=images[:32],
            decode_workers=args.decode_workers,
        )
        classifier.predict(images[:4])
        for label, sources in (("", images), (" on derivatives", derivatives)):
            sources = sources * PIPELINE_ROUNDS
            started = time.perf_counter()
            classifier.predict(sources, batch_size=32)
            rows.append(
                (
                    f"pipeline {name}{label} (decode + preprocess + forward, batch 32)",
                    len(sources) / (time.perf_counter() - started),
                )
            )

    def prototype_way(image_path):
        # The hackathon app: load the model for every prediction, fp32, one image, plain resize.
        model = StyleCheckpoint.load(path).model()
        from PIL import Image
        from torchvision import transforms

        tf = transforms.Compose(
            [
                transforms.Resize((224, 224)),
                transforms.ToTensor(),
                transforms.Normalize(Preprocessing().mean, Preprocessing().std),
            ]
        )
        with torch.inference_mode():
            return model(tf(Image.open(image_path).convert("RGB")).unsqueeze(0))

    subset = images[:16]
    started = time.perf_counter()
    for p in subset:
        prototype_way(p)
    baseline = len(subset) / (time.perf_counter() - started)
    rows.append(("prototype baseline (model loaded per prediction, fp32, batch 1)", baseline))
    for label, value in rows:
        print(f"{label:70s} {value:8.1f} images/s")
    table = dict(rows)
    int8_pipeline = table["pipeline int8 (decode + preprocess + forward, batch 32)"]
    print(f"int8 pipeline / baseline: {int8_pipeline / baseline:.1f}x")
    preparation_costs(classifier, images, derivatives)
    interleaved_ratios(int8, classifier, images, derivatives, args.rounds)


def preparation_costs(classifier, images, derivatives) -> None:
    """CPU per image to read, decode and preprocess (no forward pass), in this thread only."""
    for label, sources in (
        ("800 px K-Fashion originals", images[:32]),
        ("their derivatives", derivatives[:32]),
        ("making a derivative from an original", images[:32]),
    ):
        started = time.process_time()
        for _ in range(3):
            for source in sources:
                if label.startswith("making"):
                    classification_derivative(source, short_side=classifier.preprocessing.resize)
                else:
                    classifier._prepare(source)
        per_image = (time.process_time() - started) / (3 * len(sources))
        print(f"CPU per image, {label}: {per_image * 1000:.2f} ms")


def interleaved_ratios(int8, classifier, images, derivatives, rounds: int) -> None:
    """int8 forward-only and both int8 pipelines, one after the other in each round, so a shared
    machine's changing load hits all three alike; the medians give the ratios.

    Each rate is given per wall-clock second and per CPU-second of this process (all its threads):
    on a virtual machine whose second core is often taken by a neighbour, the wall-clock rate of
    two threads swings twofold between rounds while the CPU-second rate does not.
    """
    x = torch.randn(32, 3, 224, 224)
    names = ("forward-only", "pipeline", "pipeline on derivatives")
    walls, cpus = [], []
    for n in range(rounds):
        wall, cpu = [], []
        with torch.inference_mode():
            int8(x)
            started, cpu_started = time.perf_counter(), time.process_time()
            for _ in range(8):
                int8(x)
            wall.append(256 / (time.perf_counter() - started))
            cpu.append(256 / (time.process_time() - cpu_started))
        for sources in (images, derivatives):
            sources = sources * PIPELINE_ROUNDS
            started, cpu_started = time.perf_counter(), time.process_time()
            classifier.predict(sources, batch_size=32)
            wall.append(len(sources) / (time.perf_counter() - started))
            cpu.append(len(sources) / (time.process_time() - cpu_started))
        walls.append(wall)
        cpus.append(cpu)
        print(
            f"round {n + 1} (images/s wall, per CPU-s): "
            + ", ".join(
                f"{name} {w:.0f} / {c:.0f}" for name, w, c in zip(names, wall, cpu, strict=True)
            )
        )
    for unit, table in (("wall-clock", walls), ("CPU-second", cpus)):
        forward, pipeline, derived = (statistics.median(r[i] for r in table) for i in range(3))
        print(
            f"medians per {unit}: forward-only {forward:.1f}, pipeline {pipeline:.1f} "
            f"({pipeline / forward:.0%}), pipeline on derivatives {derived:.1f} "
            f"({derived / forward:.0%} of int8 forward-only batch 32)"
        )


if __name__ == "__main__":
    main()
