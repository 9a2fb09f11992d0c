"""Import speed: 100,000 posts of metadata, and 1,000 posts with real 800 px JPEG images.

usage: [DATABASE_URL=postgres://...] python bench/import_speed.py [--posts 100000] [--with-images 1000]
"""

import argparse
import csv
import io
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from _django import bench_database

SHARED = Path(
    os.environ.get(
        "STYLEMATCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


def export(n_posts: int, n_influencers: int, prefix: str) -> tuple[bytes, bytes]:
    rng = random.Random(0)
    people, posts = io.StringIO(), io.StringIO()
    pw, qw = csv.writer(people), csv.writer(posts)
    pw.writerow(["user_name", "gender", "size", "followers"])
    for i in range(n_influencers):
        pw.writerow([f"{prefix}{i}", "FM"[i % 2], "SML"[i % 3], rng.randint(100, 10**6)])
    qw.writerow(["user_name", "post_id", "text", "timestamp", "like", "video"])
    for j in range(n_posts):
        like = -1 if rng.random() < 0.1 else rng.randint(0, 5000)
        qw.writerow(
            [
                f"{prefix}{j % n_influencers}",
                f"{prefix}p{j}",
                f"오늘의 코디 #데일리룩 {j}",
                "2024-01-01T10:00:00+09:00",
                like,
                "false",
            ]
        )
    return posts.getvalue().encode(), people.getvalue().encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--with-images", type=int, default=1000)
    args = parser.parse_args()
    with bench_database() as vendor:
        from django.conf import settings

        from influencers.services.imports import posts_import

        settings.MEDIA_ROOT = tempfile.mkdtemp()
        posts, people = export(args.posts, 1000, "bench")
        started = time.perf_counter()
        report = posts_import(posts_data=posts, influencers_data=people)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = posts_import(posts_data=posts, influencers_data=people)
        second = time.perf_counter() - started
        print(
            f"{vendor}: {report.posts_created} posts of metadata imported in {first:.1f} s; "
            f"re-import ({again.posts_unchanged} unchanged) in {second:.1f} s"
        )
        sources = sorted((SHARED / "kfashion-original").rglob("*.jpg"))
        sources += sorted((SHARED / "clothing-cc0").rglob("*.jpg"))
        folder = Path(tempfile.mkdtemp())
        posts, people = export(args.with_images, 50, "img")
        for j in range(args.with_images):
            shutil.copy(sources[j % len(sources)], folder / f"imgp{j}.jpg")
        started = time.perf_counter()
        report = posts_import(posts_data=posts, influencers_data=people, images=folder)
        seconds = time.perf_counter() - started
        print(
            f"{vendor}: {report.posts_created} posts with {report.images_stored} real JPEG images "
            f"({len(sources)} distinct files, K-Fashion 800 px and CC0) in {seconds:.1f} s "
            f"({report.posts_created / seconds:.0f} posts/s)"
        )


if __name__ == "__main__":
    main()
