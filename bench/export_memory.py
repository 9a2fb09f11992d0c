"""What a data export costs in memory as a user's photos grow: it must stay flat.

    python bench/export_memory.py [--photos 10 100 300] [--photo-kb 900]

For each count, a throw-away database and media folder hold one user with that many requests,
each with a stored photo of noise (JPEG cannot shrink it; its real size is printed); the export
(accounts.privacy.export.user_data_export) is built, and the Python heap's peak during it
(tracemalloc) is reported beside the ZIP's size.
"""

import argparse
import io
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import bench_database  # noqa: E402


def noise_jpeg(kb: int, seed: int) -> bytes:
    import numpy as np
    from PIL import Image

    side = int((kb * 1024 / 0.6) ** 0.5 / 1.7)  # noise JPEG at q95 is ~0.6 byte/pixel x 3
    pixels = np.random.default_rng(seed).integers(0, 255, (side, side, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=95)
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument("--photo-kb", type=int, default=900)
    args = parser.parse_args(argv)
    with bench_database():
        from django.test import override_settings

        print("photos | photo size | ZIP size | heap peak during export | time")
        for count in args.photos:
            with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-export-")):
                print(measure(count, args.photo_kb))
    return 0


def measure(count: int, photo_kb: int) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from accounts.privacy.export import user_data_export
    from recommender.models import RecommendationRequest
    from tests.factories import UserFactory

    user = UserFactory()
    photo = noise_jpeg(photo_kb, seed=count)
    for n in range(count):
        name = default_storage.save(f"queries/bench_{count}_{n}.jpg", ContentFile(photo))
        RecommendationRequest.objects.create(
            user=user, image=name, mode="consumer", gender="F", body_size="M"
        )
    tracemalloc.start()
    start = time.perf_counter()
    with user_data_export(user=user) as archive:
        size = archive.seek(0, 2)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (
        f"{count} | {len(photo) / 1024:.0f} KB | {size / 1024 / 1024:.1f} MB | "
        f"{peak / 1024 / 1024:.1f} MB | {elapsed:.2f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
