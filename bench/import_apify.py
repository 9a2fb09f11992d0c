"""Importing an Apify Instagram Scraper export: 10,000 items (JSON), time and peak memory.

The items look like the scraper's (every field it writes for a post, albums with childPosts and
images, 10 % hidden likes, 50 accounts); the import finds the format from the content, creates the
accounts and keeps every image link (the fetch is queued, not run: no network here).

usage: [DATABASE_URL=postgres://...] python bench/import_apify.py [--items 10000] [--rounds 3]
"""

import argparse
import json
import random
import resource
import statistics
import time
import tracemalloc

from _django import bench_database


def apify_items(n: int, accounts: int = 50) -> bytes:
    rng = random.Random(0)
    items = []
    for i in range(n):
        owner = f"bench_owner_{i % accounts}"
        album = rng.random() < 0.3
        urls = [
            f"https://scontent-ssn1-1.cdninstagram.com/v/t51.29350-15/{i}_{k}_n.jpg"
            f"?stp=dst-jpg_e35&_nc_ht=scontent-ssn1-1.cdninstagram.com&oh=00_{i:08x}&oe=6700ABCD"
            for k in range(rng.randint(2, 5) if album else 1)
        ]
        items.append(
            {
                "inputUrl": f"https://www.instagram.com/{owner}/",
                "id": str(3300000000000000000 + i),
                "type": "Sidecar" if album else rng.choice(["Image", "Image", "Video"]),
                "shortCode": f"B{i:010d}",
                "caption": f"오늘의 코디 {i} 🌸\n#데일리룩 #ootd #협찬"
                if i % 7 == 0
                else f"주말 {i}",
                "hashtags": ["데일리룩", "ootd"],
                "mentions": [],
                "url": f"https://www.instagram.com/p/B{i:010d}/",
                "commentsCount": rng.randint(0, 300),
                "firstComment": "예뻐요",
                "latestComments": [
                    {"id": str(i), "text": "예뻐요", "ownerUsername": "someone_else"}
                ],
                "dimensionsHeight": 1350,
                "dimensionsWidth": 1080,
                "displayUrl": urls[0],
                "images": urls if album else [],
                "alt": "Photo by someone",
                "likesCount": -1 if rng.random() < 0.1 else rng.randint(0, 50_000),
                "timestamp": f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}T03:00:00.000Z",
                "childPosts": [{"type": "Image", "displayUrl": u} for u in urls] if album else [],
                "ownerFullName": f"벤치 {i % accounts}",
                "ownerUsername": owner,
                "ownerId": str(1000 + i % accounts),
                "isSponsored": False,
            }
        )
    return json.dumps(items, ensure_ascii=False).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = apify_items(args.items)
    with bench_database() as vendor:
        from influencers.models import Influencer, Post, PostImageLink
        from influencers.services.imports import posts_import

        def clear():
            PostImageLink.objects.all().delete()
            Post.objects.all().delete()
            Influencer.objects.all().delete()

        times = []
        for _ in range(args.rounds):
            clear()
            started = time.perf_counter()
            report = posts_import(posts_data=data, posts_name="dataset.json")
            times.append(time.perf_counter() - started)
        assert report.posts_created == args.items and not report.errors, report.errors[:3]
        started = time.perf_counter()
        again = posts_import(posts_data=data, posts_name="dataset.json")
        reimport = time.perf_counter() - started
        clear()
        tracemalloc.start()
        posts_import(posts_data=data, posts_name="dataset.json")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{vendor}: {args.items:,} Apify items ({len(data) / 2**20:.1f} MB of JSON, "
            f"{PostImageLink.objects.count():,} image links), format {report.format}"
        )
        print(
            f"  first import: median {statistics.median(times):.2f} s of {args.rounds} "
            f"({', '.join(f'{t:.2f}' for t in times)})"
        )
        print(f"  again, {again.posts_unchanged:,} unchanged: {reimport:.2f} s")
        print(
            f"  peak Python heap during one import (tracemalloc): {peak / 2**20:.0f} MB; "
            f"process peak RSS: {rss:.0f} MB"
        )


if __name__ == "__main__":
    main()
