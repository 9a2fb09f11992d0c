"""Catalogue re-classification throughput, in one run on one model: int8 forward-only, the int8
pipeline (read + decode + preprocess + forward), and the end-to-end run (the same plus keyset
pages, bulk_update, profile rebuilds and the run row), with the reconcilers called during it and
the process's RSS sampled as it goes.

usage: [DATABASE_URL=postgres://...] python bench/reclassification.py [--posts 2000] [--threads 2]

Posts point at the real K-Fashion sample photos (320 px short side), cycled, each read through its
classification derivative as every classification after an image's first reads it; the model is a
full-size 23-style ResNet-18 (random weights: speed does not depend on them) served int8, as a CPU
bulk worker serves it. Runs in this process, no broker: the figures are the service's own.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _django import bench_database

SHARED = Path(
    os.environ.get(
        "STYLEMATCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


class Rate:
    """Items per wall-clock second and per CPU-second of this process (all its threads)."""

    def __init__(self, items: int):
        self.items = items

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = self.items / (time.perf_counter() - self._wall)
        self.cpu = self.items / (time.process_time() - self._cpu)

    @staticmethod
    def median(rates: list["Rate"]) -> "Rate":
        rate = Rate(rates[0].items)
        rate.wall = statistics.median(r.wall for r in rates)
        rate.cpu = statistics.median(r.cpu for r in rates)
        return rate


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def full_size_checkpoint() -> Path:
    from mlcore.model import StyleCheckpoint
    from mlcore.network import resnet18_build
    from mlcore.preprocessing import Preprocessing
    from mlcore.styles import STYLE_CODES

    path = Path(tempfile.mkdtemp()) / "bench-full.pt"
    StyleCheckpoint(
        classes=list(STYLE_CODES),
        state_dict=resnet18_build(len(STYLE_CODES)).state_dict(),
        preprocessing=Preprocessing(),
        metrics={"val_top1": 0.5, "val_top1_int8": 0.5},  # int8 within tolerance: served
    ).save(path)
    return path


def catalogue_build(posts: int) -> list[str]:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from influencers.models import ClassificationStatus, Influencer, Post

    photos = sorted((SHARED / "kfashion-sample").rglob("*.jpg"))
    if not photos:
        raise SystemExit(f"no K-Fashion sample under {SHARED}")
    names = [
        default_storage.save(f"posts/{p.name}", ContentFile(p.read_bytes()))
        for p in photos[: min(len(photos), posts)]
    ]
    influencers = Influencer.objects.bulk_create(
        [Influencer(handle=f"bench_{i}") for i in range(max(1, posts // 20))]
    )
    Post.objects.bulk_create(
        [
            Post(
                influencer=influencers[i // 20 % len(influencers)],
                instagram_id=f"b{i}",
                image=names[i % len(names)],
                likes=i % 500,
                effective_likes=i % 500,
                # As a catalogue classified long ago: every post queued and done an hour back.
                classification_status=ClassificationStatus.DONE,
                classification_queued_at=_an_hour_ago(),
            )
            for i in range(posts)
        ],
        batch_size=1000,
    )
    return names


def _an_hour_ago():
    from django.utils import timezone

    return timezone.now() - timezone.timedelta(hours=1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ["TORCH_THREADS"] = str(args.threads)
    with bench_database() as vendor:
        import torch
        from django.conf import settings

        from influencers.services.derivatives import post_image_classification_loader
        from recommender.services.classification import posts_classification_reconcile
        from recommender.services.classifiers import classifier_batch_size, classifier_for
        from recommender.services.reclassification import (
            reclassification_process,
            reclassification_reconcile,
            reclassification_start,
        )
        from recommender.services.registry import model_version_register

        settings.TORCH_THREADS = args.threads
        settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-media-")
        names = catalogue_build(args.posts)
        version = model_version_register(checkpoint_path=full_size_checkpoint(), name="bench")
        classifier = classifier_for(version)
        batch = classifier_batch_size()
        assert classifier.quantized, "the bench model should be served int8"
        # What classification reads of a stored image: its derivative, made on first read (here,
        # by the warm-up), as the catalogue's images have theirs after their first classification.
        paths = [
            post_image_classification_loader(name, preprocessing=classifier.preprocessing)
            for name in names[:512]
        ]
        classifier.predict(paths, batch_size=batch)  # warm-up

        # Forward-only runs on the same photos, decoded beforehand (random tensors run at another
        # speed through the int8 model's saturating activations).
        decoded = [tensor for tensor, _ in classifier._batches(paths, batch)]

        def forward_only() -> Rate:
            with torch.inference_mode(), Rate(len(paths)) as rate:
                for tensor in decoded:
                    classifier._net(tensor)
            return rate

        def pipeline() -> Rate:
            with Rate(len(paths)) as rate:
                classifier.predict(paths, batch_size=batch)
            return rate

        # Alternated, three rounds, medians. On a shared machine the wall-clock rates follow how
        # much CPU the scheduler gave this process (more threads, more share); images per CPU
        # second of this process do not, so the ratios are taken from those.
        rounds = [(forward_only(), pipeline()) for _ in range(3)]
        forward = Rate.median([f for f, _ in rounds])
        pipe = Rate.median([p for _, p in rounds])

        rss_before = rss_mib()
        samples, reconciled = [], []
        run = reclassification_start(model_version_id=version.pk, queue=False)

        batches = 0

        def on_batch(r):
            nonlocal batches
            batches += 1
            if batches % 20 == 1:  # as often as beat would, scaled to a short run
                samples.append((r.done, rss_mib()))
                reconciled.append((posts_classification_reconcile(), reclassification_reconcile()))

        with Rate(args.posts) as end_to_end:
            run = reclassification_process(run_id=run.pk, on_batch=on_batch)
        assert run.done == args.posts

    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"{vendor}, torch {torch.__version__}, {args.threads} threads, batch {batch}, "
        f"{args.posts} posts on {len(names)} distinct K-Fashion sample photos"
    )
    print("                              images/s (wall)   images per CPU-second of this process")
    for name, rate in (
        ("int8 forward-only", forward),
        ("int8 pipeline", pipe),
        ("end-to-end re-classification", end_to_end),
    ):
        print(f"{name:30s}{rate.wall:10.1f}{rate.cpu:20.1f}")
    print(
        f"pipeline / forward-only: {pipe.cpu / forward.cpu:.0%} per CPU-second "
        f"({pipe.wall / forward.wall:.0%} wall); end-to-end / pipeline: "
        f"{end_to_end.cpu / pipe.cpu:.0%} per CPU-second ({end_to_end.wall / pipe.wall:.0%} wall; "
        f"PostgreSQL's own CPU not counted)"
    )
    shown = samples[:: max(1, len(samples) // 12)] + samples[-1:]  # a dozen points, and the last
    peak = max(samples, key=lambda sample: sample[1])
    print(
        f"RSS before the run {rss_before:.0f} MiB; peak {peak[1]:.0f} MiB after {peak[0]} posts; "
        "during it (posts done: MiB) " + ", ".join(f"{d}: {m:.0f}" for d, m in shown)
    )
    requeued = [p + r for p, r in reconciled]
    print(
        f"reconciler runs during the run: {len(reconciled)}, re-queued per run: "
        f"posts at most {max(p for p, _ in reconciled)}, runs at most "
        f"{max(r for _, r in reconciled)} (total {sum(requeued)})"
    )


if __name__ == "__main__":
    main()
