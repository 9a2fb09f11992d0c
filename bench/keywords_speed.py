"""Tokeniser throughput on the real Instagram texts, one influencer's whole summary time, and
the summary's time against the size of its input (one line, or the real texts' many lines).

usage: python bench/keywords_speed.py
"""

import csv
import os
import statistics
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
    size_sweep(texts)


def size_sweep(texts: list[str]) -> None:
    """keywords_extract on the real texts cut to n characters: as they are (many lines), and
    joined into one line; time per character stays flat when the time is linear."""
    many = "\n".join(texts)
    many = many * (1_000_000 // len(many) + 1)
    one = many.replace("\n", " ")
    print("characters | one line: s (us/char) | many lines: s (us/char)")
    for n in (10_000, 100_000, 400_000, 1_000_000):
        cells = []
        for text in (one[:n], many[:n]):
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                keywords_extract([text])
                runs.append(time.perf_counter() - started)
            seconds = statistics.median(runs)
            cells.append(f"{seconds:.2f} ({seconds / n * 1e6:.2f})")
        print(f"{n:>10,} | {cells[0]} | {cells[1]}")


if __name__ == "__main__":
    main()
