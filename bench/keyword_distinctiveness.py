"""How alike the influencers' keyword clouds are: top-10 by count against top-10 weighed against
the catalogue (log-odds with an informative Dirichlet prior, mlcore.keywords.keywords_distinctive).

The real Korean Instagram posts of ../shared/data/korean-text/instagram_posts.csv are split into
pseudo-influencers (consecutive runs of posts, as one account's posts would be); each gets its
keywords as the summary service extracts them. The figure is the mean, over every pair of
pseudo-influencers, of |top10(a) & top10(b)| / 10: 1 means every cloud shows the same words.

usage: python bench/keyword_distinctiveness.py [--influencers 20] [--data ../shared/data]
"""

import argparse
import csv
import itertools
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlcore.keywords import keywords_distinctive, keywords_extract  # noqa: E402


def mean_overlap(tops: list[list[str]], k: int) -> float:
    pairs = list(itertools.combinations(tops, 2))
    return sum(len(set(a[:k]) & set(b[:k])) / k for a, b in pairs) / len(pairs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--influencers", type=int, default=20)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument(
        "--data",
        default=os.environ.get("STYLEMATCH_SHARED_DATA", str(ROOT.parent / "shared" / "data")),
    )
    args = parser.parse_args()
    path = Path(args.data) / "korean-text" / "instagram_posts.csv"
    with open(path, encoding="utf-8") as fp:
        posts = [f"{row['text']} {row.get('hash_tag', '')}" for row in csv.DictReader(fp)]
    size = len(posts) // args.influencers
    groups = [posts[i * size : (i + 1) * size] for i in range(args.influencers)]
    started = time.perf_counter()
    counts = [dict(keywords_extract(group)) for group in groups]
    extracted = time.perf_counter() - started
    catalogue = Counter()
    for c in counts:
        catalogue.update(c)
    by_count = [sorted(c, key=lambda w: (-c[w], w)) for c in counts]
    started = time.perf_counter()
    distinctive = [[w for w, _z in keywords_distinctive(c, catalogue)] for c in counts]
    weighed = time.perf_counter() - started
    print(f"{len(posts)} posts, {args.influencers} pseudo-influencers of {size} posts")
    print(f"mean top-{args.top} overlap by count:        {mean_overlap(by_count, args.top):.3f}")
    print(
        f"mean top-{args.top} overlap log-odds (prior): {mean_overlap(distinctive, args.top):.3f}"
    )
    common = Counter(w for top in by_count for w in top[: args.top])
    print("words in most top-10s by count:", [w for w, _n in common.most_common(8)])
    common = Counter(w for top in distinctive for w in top[: args.top])
    print("words in most top-10s by log-odds:", [w for w, _n in common.most_common(8)])
    print(f"extraction {extracted:.1f} s, weighing {weighed * 1000:.1f} ms")


if __name__ == "__main__":
    main()
