"""The influencer list (filters, sorts, search) and both rankings at catalogue scale, on PostgreSQL.

usage:
    createdb -h 127.0.0.1 -U postgres bench_100k
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_100k \
        python bench/catalogue_scale.py build --influencers 100000 --posts-per-influencer 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_100k \
        python bench/catalogue_scale.py measure [--repeats 30]

`build` migrates the database named by DATABASE_URL (it must be empty: a database of its own, never
the site's), then writes the catalogue a chunk of influencers at a time, with progress (the posts'
secondary indexes are dropped first and built after, as a bulk load does): every post has a
caption taken from the real Korean Instagram texts in ../shared/data/korean-text (read at run
time, never committed), a date, likes (3 % hidden), a predicted style drawn around the
influencer's own style, a probability vector, and each influencer's 48 most recent posts a 512-d
embedding (what the similarity ranking's evidence reads). Each chunk's profiles (style
statistics, representative styles, style shares and ranking evidence, last post, search words)
are derived from its posts by the services' own rules and functions.

`measure` times what a page or an API call asks of the database: the list's first page (rows and
count) for each filter, sort and search, and both rankings in both modes, each `--repeats` times
with varying values; it prints median and p95 in ms.
"""

import argparse
import csv
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

SHARED_TEXTS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "korean-text" / "instagram_posts.csv"
)
EMBEDDED_RECENT_POSTS = 48  # recommender.selectors.ranking.cards.EVIDENCE_CANDIDATES
EMBEDDING_POOL = 64
CHUNK_INFLUENCERS = 2000


def _setup():
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("catalogue_scale needs PostgreSQL: set DATABASE_URL to a database of its own")
    return connection


def _captions() -> list[str]:
    if not SHARED_TEXTS.exists():
        sys.exit(f"the Korean Instagram texts are not at {SHARED_TEXTS} (../shared/README.md)")
    with SHARED_TEXTS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [row["text"].strip() for row in rows]  # hash_tag is a label, not hashtags
    return [t for t in texts if t]


def _progress(label: str, done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed else 0
    left = (total - done) / rate if rate else 0
    print(
        f"\r{label}: {done:,} / {total:,} ({100 * done / total:.0f} %), {elapsed:.0f} s, "
        f"about {left:.0f} s left   ",
        end="",
        flush=True,
    )


def build(influencers: int, per_influencer: int, seed: int) -> None:
    connection = _setup()
    from django.core.management import call_command

    from influencers.models import Influencer

    call_command("migrate", verbosity=0)
    if Influencer.objects.exists():
        sys.exit("the database already holds influencers: build into an empty database")
    rng = np.random.default_rng(seed)
    captions = _captions()
    words = sorted({w.strip("#@.,!?~") for t in captions for w in t.split()} - {""})
    started = time.perf_counter()

    # Influencers: a profile as an import and curation leave it (the numbers come from posts).
    batch = []
    for i in range(influencers):
        curated = i % 20 != 0  # one in twenty still waits for staff
        batch.append(
            Influencer(
                handle=f"look_{i:06d}",
                display_name=f"룩북 {i}",
                gender=("F" if rng.random() < 0.7 else "M") if curated else "",
                body_size="SML"[int(rng.integers(3))] if curated else "",
                followers=int(rng.lognormal(9.5, 1.3)) + 100,
                keywords=[[str(w), int(rng.integers(2, 30))] for w in rng.choice(words, 12, False)],
                sponsored_share=float(rng.beta(1, 6)),
            )
        )
        if len(batch) == 5000 or i == influencers - 1:
            Influencer.objects.bulk_create(batch)
            batch = []
            _progress("influencers", i + 1, influencers, started)
    print()

    with connection.cursor() as cursor:
        indexes = _secondary_indexes_drop(cursor, "influencers_post")
        indexes += _secondary_indexes_drop(cursor, "influencers_influencersearchwords")
        _posts_write(cursor, rng, captions, per_influencer)
        _indexes_create(cursor, indexes)
        print("analysing", flush=True)
        cursor.execute("VACUUM ANALYZE")
    print(f"built {influencers:,} influencers, {influencers * per_influencer:,} posts", flush=True)


def _secondary_indexes_drop(cursor, table: str) -> list[tuple[str, str]]:
    """A bulk load writes the rows first and builds the indexes after, as pg_restore does; the
    constraints' indexes (primary key, unique post id) stay."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return indexes


def _indexes_create(cursor, indexes: list[tuple[str, str]]) -> None:
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for n, (name, definition) in enumerate(indexes, 1):
        started = time.perf_counter()
        cursor.execute(definition)
        print(f"index {n}/{len(indexes)} {name}: {time.perf_counter() - started:.0f} s", flush=True)


def _posts_write(cursor, rng, captions: list[str], per_influencer: int) -> None:
    """Every influencer's posts, and the profile the services derive from them, a chunk at a time.

    Post k of an influencer is k * 2 days (and a few minutes) old; its style is the influencer's
    own (pk mod 23) most of the time, the others ever less often; 3 % of likes are hidden and count
    as the account's mean (influencer_likes_impute).
    """
    from common.vectors import vector_to_bytes
    from influencers.models import Influencer
    from influencers.search import SEARCH_WORDS_SEPARATOR
    from influencers.services.search_index import search_names_build, search_words_build
    from mlcore.keywords import search_tokens
    from mlcore.styles import STYLE_CODES, TAXONOMY_CODES

    # The captions come from a pool: each one's search words are found once (the union over an
    # account's captions is what search_words_build gives below its word limit).
    caption_words = [set(search_tokens([c], limit=10**6)) for c in captions]
    embeddings = rng.standard_normal((EMBEDDING_POOL, 512)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    probabilities = rng.dirichlet(np.full(len(TAXONOMY_CODES), 0.3), EMBEDDING_POOL)
    profiles = Influencer.objects.order_by("pk").values_list(
        "pk", "keywords", "handle", "display_name"
    )
    rows = list(profiles)
    started = time.perf_counter()
    total = len(rows) * per_influencer
    for start in range(0, len(rows), CHUNK_INFLUENCERS):
        chunk = rows[start : start + CHUNK_INFLUENCERS]
        ids = np.array([row[0] for row in chunk], dtype=np.int64)
        n = len(ids) * per_influencer
        owner = np.repeat(ids, per_influencer)
        k = np.tile(np.arange(per_influencer), len(ids))
        caption = rng.integers(0, len(captions), n)
        style = ((owner % 23) + np.floor(23 * rng.random(n) ** 3).astype(np.int64)) % 23
        likes = np.floor(np.exp(4 + 2 * rng.random(n))).astype(np.int64)
        hidden = rng.random(n) < 0.03
        effective = likes.astype(np.float64).reshape(len(ids), per_influencer)
        hidden_2d = hidden.reshape(len(ids), per_influencer)
        for row in range(len(ids)):
            visible = effective[row][~hidden_2d[row]]
            effective[row][hidden_2d[row]] = visible.mean() if len(visible) else 0.0
        cursor.execute(
            _POSTS_SQL,
            {
                "owner": owner.tolist(),
                "k": k.tolist(),
                "caption": [captions[i] for i in caption],
                "style": [STYLE_CODES[i] for i in style],
                "likes": [None if h else int(v) for h, v in zip(hidden, likes, strict=True)],
                "effective": effective.ravel().tolist(),
                "embedded": EMBEDDED_RECENT_POSTS,
                "embeddings": [vector_to_bytes(e) for e in embeddings],
                "probabilities": [vector_to_bytes(p.astype(np.float32)) for p in probabilities],
            },
        )
        _profiles_write(cursor, chunk, per_influencer, caption, style, effective, hidden)
        search_words, search_names = [], []
        for row, (_, keywords, handle, name) in enumerate(chunk):
            found = set().union(
                *(
                    caption_words[i]
                    for i in caption[row * per_influencer : (row + 1) * per_influencer]
                )
            )
            found |= set(search_words_build([], [w for w, _ in keywords]).splitlines())
            search_words.append(SEARCH_WORDS_SEPARATOR.join(sorted(found)))
            search_names.append(search_names_build(handle, name))
        cursor.execute(
            "INSERT INTO influencers_influencersearchwords (influencer_id, words, names) "
            "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[])",
            [ids.tolist(), search_words, search_names],
        )
        _progress("posts", start * per_influencer + n, total, started)
    print()


def _profiles_write(cursor, chunk, per_influencer, caption, style, effective, hidden) -> None:
    """style_stats and the fields kept with it, by influencer_style_profile_rebuild's rules."""
    from django.utils import timezone

    from influencers.services.profiles import style_share_rows
    from mlcore.styles import STYLE_CODES, TAXONOMY_INDEX

    now = timezone.now()
    updates, share_rows = [], []
    for row, (pk, *_) in enumerate(chunk):
        part = slice(row * per_influencer, (row + 1) * per_influencer)
        stats: dict[str, dict] = {}
        for s, likes in zip(style[part], effective[row], strict=True):
            entry = stats.setdefault(STYLE_CODES[s], {"posts": 0, "likes": 0.0})
            entry["posts"] += 1
            entry["likes"] += float(likes)
        for entry in stats.values():
            entry["likes"] = round(entry["likes"], 2)
        brand = max(stats, key=lambda c: (stats[c]["likes"], stats[c]["posts"], -TAXONOMY_INDEX[c]))
        consumer = max(
            stats, key=lambda c: (stats[c]["posts"], stats[c]["likes"], -TAXONOMY_INDEX[c])
        )
        shares = {row.style: row for row in style_share_rows(pk, stats)}
        share_rows += [
            (pk, row.style, row.posts, row.share, row.consumer_evidence, row.brand_evidence)
            for row in shares.values()
        ]
        updates.append(
            (
                pk,
                json.dumps(dict(sorted(stats.items()))),
                per_influencer,
                round(float(effective[row].sum()), 2),
                bool((~hidden[part]).any()),
                brand,
                stats[brand]["likes"],
                consumer,
                stats[consumer]["posts"],
                shares[consumer].share,
                now - timedelta(minutes=pk % 1440),
            )
        )
    columns = list(zip(*updates, strict=True))
    cursor.execute(
        """
        UPDATE influencers_influencer i SET
            style_stats = u.stats::jsonb, post_count = u.posts, classified_post_count = u.posts,
            media_count = u.posts, total_likes = u.likes, likes_known = u.known,
            brand_style = u.brand, brand_style_likes = u.brand_likes,
            consumer_style = u.consumer, consumer_style_posts = u.consumer_posts,
            consumer_style_share = u.consumer_share, last_posted_at = u.last_post,
            profile_updated_at = now()
        FROM unnest(%s::bigint[], %s::text[], %s::int[], %s::float8[], %s::bool[], %s::text[],
                    %s::float8[], %s::text[], %s::int[], %s::float8[], %s::timestamptz[])
            AS u(id, stats, posts, likes, known, brand, brand_likes, consumer, consumer_posts,
                 consumer_share, last_post)
        WHERE i.id = u.id
        """,
        [list(c) for c in columns],
    )
    shares = list(zip(*share_rows, strict=True))
    cursor.execute(
        "INSERT INTO influencers_influencerstyleshare "
        "(influencer_id, style, posts, share, consumer_evidence, brand_evidence) "
        "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::int[], %s::float8[], %s::float8[], "
        "%s::float8[])",
        [list(c) for c in shares],
    )


_POSTS_SQL = """
INSERT INTO influencers_post (
    influencer_id, instagram_id, caption, posted_at, permalink, likes, effective_likes,
    likes_imputed, is_video, is_sponsored, image, image_sha256, extra_image_count, created_at,
    updated_at, classification_status, predicted_style, prototype_style, style_confidence,
    style_probabilities, embedding, classified_at, unclassifiable_reason
)
SELECT
    g.owner, 'scale' || g.owner || '_' || g.k, g.caption,
    now() - g.k * interval '2 days' - (g.owner %% 1440) * interval '1 minute',
    '', g.likes, g.effective, g.likes IS NULL, g.k %% 9 = 0, g.k %% 7 = 0, 'posts/scale.jpg', '', 0,
    now(), now(), 'done', g.style, '', 0.5,
    (%(probabilities)s::bytea[])[1 + (g.k %% cardinality(%(probabilities)s::bytea[]))],
    CASE WHEN g.k < %(embedded)s
        THEN (%(embeddings)s::bytea[])[1 + ((g.owner + g.k) %% cardinality(%(embeddings)s::bytea[]))]
    END,
    now(), ''
FROM unnest(
    %(owner)s::bigint[], %(k)s::int[], %(caption)s::text[], %(style)s::text[], %(likes)s::int[],
    %(effective)s::float8[]
) AS g(owner, k, caption, style, likes, effective)
"""


# --- measuring ----------------------------------------------------------------------------------

SEARCHES = {
    "search, one common word": ["데일리룩", "ootd", "코디", "일상", "패션"],
    "search, one rare word": ["성수카페", "제주여행", "빈티지샵", "캠핑장", "한강"],
    "search, two words": ["연남동 카페", "봄 코디", "데일리 룩", "오늘 하루", "여름 원피스"],
    "search, an English style name": ["romantic", "street", "casual", "vintage", "minimal"],
    "search, a handle": ["look_000123", "look_04", "look_0999", "@look_00007", "look_012345"],
}


def _list_cases(rng) -> dict[str, list[dict]]:
    from mlcore.styles import STYLE_CODES

    def style():
        return str(rng.choice(STYLE_CODES))

    def each(make):
        return [make() for _ in range(5)]

    cases = {
        "list, first page": each(dict),
        "filter gender and size": each(
            lambda: {"gender": "F", "size": str(rng.choice(list("SML")))}
        ),
        "filter followers from-to": each(
            lambda: {"min_followers": int(rng.integers(1000, 20000)), "max_followers": 200000}
        ),
        "filter engagement from": each(lambda: {"min_engagement": float(rng.uniform(0.5, 5))}),
        "filter sponsored to": each(lambda: {"max_sponsored": float(rng.uniform(5, 30))}),
        "filter style": each(lambda: {"style": style()}),
        "filter style, share at least 20 %": each(
            lambda: {"style": style(), "min_style_share": 20}
        ),
        "filter posted within 7 days": each(lambda: {"posted_within": 7}),
        "filter needs curation": each(lambda: {"curation": "needs_curation"}),
        "sort followers": each(lambda: {"sort": "followers"}),
        "sort engagement": each(lambda: {"sort": "engagement"}),
        "sort style share (a style)": each(lambda: {"style": style(), "sort": "style_share"}),
        "sort style share (own style)": each(lambda: {"sort": "style_share"}),
        "sort recent": each(lambda: {"sort": "recent"}),
        "everything: style, share, gender, size, followers, recent, sorted by engagement": each(
            lambda: {
                "style": style(),
                "min_style_share": 10,
                "gender": "F",
                "size": "M",
                "min_followers": 5000,
                "posted_within": 30,
                "sort": "engagement",
            }
        ),
    }
    for name, words in SEARCHES.items():
        cases[name] = [{"q": w} for w in words]
    cases["search and filters: two words, gender, sorted by followers"] = [
        {"q": w, "gender": "F", "sort": "followers"} for w in SEARCHES["search, two words"]
    ]
    return cases


def _list_page(params: dict) -> int:
    """What the list page and the API ask of the database for one page: rows and count (capped,
    as the page and the API count)."""
    from django.http import QueryDict

    from common.pagination import CappedCountPaginator
    from influencers import selectors
    from influencers.views import INFLUENCERS_PER_PAGE

    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items()})
    page = CappedCountPaginator(
        selectors.influencer_list(filters=query), INFLUENCERS_PER_PAGE
    ).get_page(1)
    rows = list(page)
    for influencer in rows:
        selectors.caption_snippet(
            getattr(influencer, "caption_match", "") or "", params.get("q", "")
        )
    return page.paginator.count


def _ranking(rng, mode: str, name: str):
    from django.conf import settings

    from mlcore.styles import TAXONOMY_CODES
    from recommender.selectors.ranking import RankingQuery, ranking_original, ranking_similarity

    probabilities = rng.dirichlet(np.full(len(TAXONOMY_CODES), 0.3)).astype(np.float32)
    embedding = rng.standard_normal(512).astype(np.float32)
    embedding /= np.linalg.norm(embedding)
    query = RankingQuery(
        mode=mode,
        gender="F",
        body_size=str(rng.choice(list("SML"))),
        probabilities=probabilities,
        embedding=embedding,
        k=settings.RECOMMENDATION_TOP_K,
    )
    return (ranking_similarity if name == "similarity" else ranking_original)(query)


def _figures(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def measure(repeats: int, seed: int, only: str | None) -> None:
    _setup()
    from influencers.models import Influencer, Post

    rng = np.random.default_rng(seed)
    print(
        f"{Influencer.objects.count():,} influencers, {Post.objects.count():,} posts; "
        f"{repeats} runs each (values vary between runs); median / p95 ms",
        flush=True,
    )
    cases: dict[str, object] = dict(_list_cases(rng))
    for mode in ("brand", "consumer"):
        for name in ("original", "similarity"):
            cases[f"ranking {name}, {mode}"] = (mode, name)
    worst = 0.0
    for label, case in cases.items():
        if only and only not in label:
            continue
        times, found = [], []
        for run in range(repeats + 1):  # the first run warms the cache and is not counted
            started = time.perf_counter()
            if isinstance(case, tuple):
                result = _ranking(rng, *case)
                found.append(len(result.cards))
            else:
                found.append(_list_page(case[run % len(case)]))
            if run:
                times.append((time.perf_counter() - started) * 1000)
        median, p95 = _figures(times)
        worst = max(worst, p95)
        print(f"| {label} | {median:.1f} / {p95:.1f} | {min(found):,}-{max(found):,} |", flush=True)
    print(f"worst p95: {worst:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--influencers", type=int, default=10_000)
    b.add_argument("--posts-per-influencer", type=int, default=100)
    b.add_argument("--seed", type=int, default=0)
    m = sub.add_parser("measure")
    m.add_argument("--repeats", type=int, default=30)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--only", help="only the cases whose label holds this text")
    args = parser.parse_args()
    if args.command == "build":
        build(args.influencers, args.posts_per_influencer, args.seed)
    else:
        measure(args.repeats, args.seed, args.only)


if __name__ == "__main__":
    main()
