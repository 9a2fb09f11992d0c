"""The influencer list (filters, sorts, search) and both rankings at catalogue scale, on PostgreSQL.

usage:
    createdb -h 127.0.0.1 -U postgres bench_100k
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_100k \
        python bench/catalogue_scale.py build --influencers 100000 --posts-per-influencer 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_100k \
        python bench/catalogue_scale.py measure [--repeats 30]

`build` migrates the database named by DATABASE_URL (it must be empty: a database of its own, never
the site's), then writes the catalogue with SQL (INSERT ... SELECT over generate_series, one
chunk of influencers at a time, with progress): every post has a caption taken from the real
Korean Instagram texts in ../shared/data/korean-text (read at run time, never committed), a
date, likes (3 % hidden), a predicted style drawn around the influencer's own style, a
probability vector, and the influencers' 48 most recent posts a 512-d embedding (what the
similarity ranking's evidence reads). Profiles (style statistics, representative styles, search
words, last post) are then derived from the posts by the same rules the services use.

`measure` times what a page or an API call asks of the database: the list's first page (rows and
count) for each filter, sort and search, and both rankings in both modes, each `--repeats` times
with varying values; it prints median and p95 in ms.
"""

import argparse
import csv
import os
import statistics
import sys
import time
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

    from common.vectors import vector_to_bytes
    from influencers.models import Influencer
    from mlcore.styles import STYLE_CODES, TAXONOMY_CODES

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
                keywords=list(rng.choice(words, size=12, replace=False)),
                sponsored_share=float(rng.beta(1, 6)),
            )
        )
        if len(batch) == 5000 or i == influencers - 1:
            Influencer.objects.bulk_create(batch)
            batch = []
            _progress("influencers", i + 1, influencers, started)
    print()

    embeddings = rng.standard_normal((EMBEDDING_POOL, 512)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    probabilities = rng.dirichlet(np.full(len(TAXONOMY_CODES), 0.3), EMBEDDING_POOL).astype(
        np.float32
    )
    ids = list(Influencer.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    total_posts = len(ids) * per_influencer
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [((seed % 1000) / 1000)])
        for start in range(0, len(ids), CHUNK_INFLUENCERS):
            chunk = ids[start : start + CHUNK_INFLUENCERS]
            cursor.execute(
                _POSTS_SQL,
                {
                    "first": chunk[0],
                    "last": chunk[-1],
                    "per": per_influencer,
                    "captions": captions,
                    "styles": list(STYLE_CODES),
                    "embedded": EMBEDDED_RECENT_POSTS,
                    "embeddings": [vector_to_bytes(e) for e in embeddings],
                    "probabilities": [vector_to_bytes(p) for p in probabilities],
                },
            )
            cursor.execute(_PROFILES_SQL, {"first": chunk[0], "last": chunk[-1]})
            _profiles_derived(chunk)
            _progress("posts", (start + len(chunk)) * per_influencer, total_posts, started)
        print()
        print("analysing", flush=True)
        cursor.execute("ANALYZE")
    print(f"built {len(ids):,} influencers, {total_posts:,} posts", flush=True)


# Post k of an influencer is k * 2 days (and a few minutes) old; its style is the influencer's own
# (pk mod 23) most of the time, the others ever less often (random()^3 skews toward it).
_POSTS_SQL = """
INSERT INTO influencers_post (
    influencer_id, instagram_id, caption, posted_at, permalink, likes, effective_likes,
    likes_imputed, is_video, is_sponsored, image, image_sha256, extra_image_count, created_at,
    updated_at, classification_status, predicted_style, prototype_style, style_confidence,
    style_probabilities, embedding, classified_at, unclassifiable_reason
)
SELECT
    id, 'scale' || id || '_' || k, caption,
    now() - k * interval '2 days' - (id %% 1440) * interval '1 minute',
    '', likes, coalesce(likes, 150), likes IS NULL, k %% 9 = 0, k %% 7 = 0, 'posts/scale.jpg', '', 0,
    now(), now(), 'done', style, '', 0.5,
    (%(probabilities)s::bytea[])[1 + (k %% cardinality(%(probabilities)s::bytea[]))],
    CASE WHEN k < %(embedded)s
        THEN (%(embeddings)s::bytea[])[1 + ((id + k) %% cardinality(%(embeddings)s::bytea[]))]
    END,
    now(), ''
FROM (
    SELECT
        i.id, k,
        (%(captions)s::text[])[1 + floor(random() * cardinality(%(captions)s::text[]))::int]
            AS caption,
        CASE WHEN random() < 0.03 THEN NULL ELSE floor(exp(4 + 2 * random()))::int END AS likes,
        (%(styles)s::text[])[1 + ((i.id %% 23) + floor(23 * power(random(), 3))::int) %% 23]
            AS style
    FROM influencers_influencer i
    CROSS JOIN generate_series(0, %(per)s - 1) AS k
    WHERE i.id BETWEEN %(first)s AND %(last)s
) AS generated
"""

# The stored profile, as influencer_style_profile_rebuild derives it from the posts.
_PROFILES_SQL = """
WITH per_style AS (
    SELECT influencer_id, predicted_style AS style, count(*) AS posts,
           round(sum(effective_likes)::numeric, 2)::float8 AS likes,
           bool_or(likes IS NOT NULL) AS known, max(posted_at) AS newest
    FROM influencers_post
    WHERE influencer_id BETWEEN %(first)s AND %(last)s
    GROUP BY influencer_id, predicted_style
), profile AS (
    SELECT influencer_id,
           jsonb_object_agg(style, jsonb_build_object('posts', posts, 'likes', likes)) AS stats,
           sum(posts) AS posts, sum(likes) AS likes, bool_or(known) AS known,
           (array_agg(style ORDER BY likes DESC, posts DESC, style))[1] AS brand_style,
           max(likes) AS brand_likes,
           (array_agg(style ORDER BY posts DESC, likes DESC, style))[1] AS consumer_style,
           max(posts) AS consumer_posts
    FROM per_style GROUP BY influencer_id
)
UPDATE influencers_influencer i SET
    style_stats = p.stats, post_count = p.posts, classified_post_count = p.posts,
    total_likes = p.likes, likes_known = p.known, brand_style = p.brand_style,
    brand_style_likes = p.brand_likes, consumer_style = p.consumer_style,
    consumer_style_posts = p.consumer_posts, media_count = p.posts, profile_updated_at = now()
FROM profile p WHERE i.id = p.influencer_id
"""


def _profiles_derived(ids: list[int]) -> None:
    """What the services derive in Python from the posts (the fields this code base has)."""
    from influencers.models import Influencer

    fields = {f.name for f in Influencer._meta.get_fields()}
    if "search_words" in fields:
        from influencers.services.search_words import influencer_search_words_rebuild

        influencer_search_words_rebuild(influencer_ids=ids)
    if "last_posted_at" in fields:
        from django.db.models import Max, OuterRef, Subquery

        from influencers.models import Post

        newest = (
            Post.objects.filter(influencer=OuterRef("pk"))
            .values("influencer")
            .annotate(newest=Max("posted_at"))
            .values("newest")
        )
        Influencer.objects.filter(pk__in=ids).update(last_posted_at=Subquery(newest))


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
    """What the list page and the API ask of the database for one page: rows and count."""
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from influencers import selectors
    from influencers.views import INFLUENCERS_PER_PAGE

    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items()})
    page = Paginator(selectors.influencer_list(filters=query), INFLUENCERS_PER_PAGE).get_page(1)
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
