"""What the upload validator's plausibility checks cost, over the shared real photos.

    python bench/upload_validation.py [--repeat 3] [--under kfashion-original]

Validates every JPEG, PNG and WebP under ../shared/data (settings.SHARED_DATA_DIR) and reports how
many were refused (a false refusal of a real photo is a bug), the median time of the whole
validation per image, and the median time of the JPEG scan-data check within it.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--under", default="", help="a folder of the shared data only")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from PIL import Image

    from common.image_decode import jpeg_scan_data_missing
    from common.uploads import ImageRejected, image_validate

    root = Path(settings.SHARED_DATA_DIR) / args.under
    paths = sorted(
        p for p in root.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp")
    )
    if not paths:
        sys.exit(f"no images under {root}")
    refused, whole, scan = [], [], []
    for path in paths:
        data = path.read_bytes()
        best_whole = best_scan = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            try:
                image_validate(data=data, filename=path.name)
            except ImageRejected as exc:
                refused.append(f"{path}: {exc.code}")
                break
            best_whole = min(best_whole, time.perf_counter() - start)
            if path.suffix.lower() in (".jpg", ".jpeg"):
                decoded = Image.open(io.BytesIO(data), formats=["JPEG"])
                decoded.load()
                start = time.perf_counter()
                jpeg_scan_data_missing(data, decoded)
                best_scan = min(best_scan, time.perf_counter() - start)
        if best_whole < float("inf"):
            whole.append(best_whole)
        if best_scan < float("inf"):
            scan.append(best_scan)
    print(f"images: {len(paths)}, refused: {len(refused)}")
    for line in refused[:20]:
        print("  refused:", line)
    print(f"validation per image, median: {statistics.median(whole) * 1000:.1f} ms")
    if scan:
        print(f"JPEG scan-data check within it, median: {statistics.median(scan) * 1000:.1f} ms")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
