"""Tokeniser throughput on the real Instagram texts, and one influencer's whole summary time.

usage: python bench/keywords_speed.py
"""

import csv
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlcore.keywords import _tagger, keywords_extract, text_clean  # noqa: E402
from mlcore.wordcloud_render import wordcloud_png  # noqa: E402

SHARED = Path(
    os.environ.get(
        "STYLEMATCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


def main():
    with open(SHARED / "korean-text" / "instagram_posts.csv", encoding="utf-8") as fp:
        texts = [row["text"] for row in csv.DictReader(fp)]
    cleaned = [text_clean(t)[1] for t in texts]
    chars = sum(len(t) for t in cleaned)
    for name in ("mecab", "okt"):
        try:
            pos = _tagger(name)
            pos("준비")
        except Exception as exc:  # konlpy/Java missing
            print(f"{name}: unavailable here ({exc})")
            continue
        started = time.perf_counter()
        for text in cleaned:
            for line in text.splitlines():
                if line.strip():
                    pos(line)
        seconds = time.perf_counter() - started
        print(
            f"{name}: {chars:,} characters of {len(texts)} real posts in {seconds:.2f} s "
            f"= {chars / seconds:,.0f} characters/s"
        )
    posts = (texts * 2)[:1000]
    keywords_extract(posts[:10])  # load the dictionary once, as a worker does
    started = time.perf_counter()
    keywords = keywords_extract(posts)
    middle = time.perf_counter()
    wordcloud_png(keywords[:80], seed=1)
    done = time.perf_counter()
    print(
        f"summary of an influencer with 1,000 real posts: keywords {middle - started:.2f} s + "
        f"word-cloud PNG {done - middle:.2f} s = {done - started:.2f} s"
    )


if __name__ == "__main__":
    main()
