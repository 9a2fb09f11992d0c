"""Ranking latency on a synthetic catalogue, and server time from upload to stored results.

usage: [DATABASE_URL=postgres://...] python bench/ranking_latency.py --influencers 10000 --posts 1000000

Influencer profiles are generated directly (random Dirichlet style distributions); posts carry real
512-d embeddings and probability vectors, as classification would leave them.
"""

import argparse
import io
import statistics
import time

import numpy as np
from _django import bench_database

STYLE_SLOTS = 23
# Nobody's top style: queries for it time the no-match path (every profile in the filters read
# for the nearest-style fill).
NO_MATCH_SLOT = STYLE_SLOTS - 1


def build(influencers: int, posts: int, rng: np.random.Generator) -> None:
    from common.vectors import vector_to_bytes
    from influencers.models import ClassificationStatus, Influencer, InfluencerStyleShare, Post
    from influencers.services.profiles import style_share_rows
    from mlcore.styles import STYLE_CODES, TAXONOMY_CODES

    rows = []
    for i in range(influencers):
        dist = np.zeros(len(TAXONOMY_CODES), dtype=np.float32)
        dist[:STYLE_SLOTS] = rng.dirichlet(np.full(STYLE_SLOTS, 0.3))
        dist[NO_MATCH_SLOT] = 0.0
        top = STYLE_CODES[int(dist.argmax())]
        rows.append(
            Influencer(
                handle=f"bench_{i}",
                gender="FM"[i % 2],
                body_size="SML"[i % 3],
                followers=int(rng.integers(1000, 10**6)),
                post_count=max(1, posts // influencers),
                total_likes=float(rng.integers(100, 10**5)),
                likes_known=True,
                brand_style=top,
                consumer_style=top,
                brand_style_likes=float(rng.integers(100, 10**5)),
                consumer_style_posts=int(rng.integers(1, 100)),
                like_distribution=vector_to_bytes(dist),
                count_distribution=vector_to_bytes(dist),
                style_stats={top: {"posts": 10, "likes": 1000.0}},
            )
        )
    Influencer.objects.bulk_create(rows, batch_size=2000)
    ids = list(Influencer.objects.values_list("pk", flat=True))
    # The rows the similarity ranking walks, by the service's own rule.
    InfluencerStyleShare.objects.bulk_create(
        (
            row
            for pk, stats in Influencer.objects.values_list("pk", "style_stats")
            for row in style_share_rows(pk, stats)
        ),
        batch_size=2000,
    )
    batch = []
    for j in range(posts):
        embedding = rng.standard_normal(512).astype(np.float32)
        embedding /= np.linalg.norm(embedding)
        probs = rng.dirichlet(np.full(len(TAXONOMY_CODES), 0.3)).astype(np.float32)
        batch.append(
            Post(
                influencer_id=ids[j % len(ids)],
                instagram_id=f"bp{j}",
                likes=int(rng.integers(0, 5000)),
                effective_likes=float(rng.integers(0, 5000)),
                image=f"posts/bench{j % 97}.jpg",
                classification_status=ClassificationStatus.DONE,
                predicted_style=STYLE_CODES[int(probs[:STYLE_SLOTS].argmax())],
                style_probabilities=vector_to_bytes(probs),
                embedding=vector_to_bytes(embedding),
            )
        )
        if len(batch) == 5000:
            Post.objects.bulk_create(batch)
            batch = []
    Post.objects.bulk_create(batch)


def time_rankings(rng: np.random.Generator, repeats: int = 30) -> dict:
    from django.conf import settings

    from recommender.selectors.ranking import RankingQuery, ranking_original, ranking_similarity

    timings = {"similarity": [], "original": [], "no_match": []}
    for _ in range(repeats):
        probs = np.zeros(24, dtype=np.float32)
        probs[:STYLE_SLOTS] = rng.dirichlet(np.full(STYLE_SLOTS, 0.5))
        # the style nobody posts at 0.9, the others sharing 0.1: no match, nearest-style fill
        no_match = np.zeros(24, dtype=np.float32)
        no_match[:STYLE_SLOTS] = 0.1 * rng.dirichlet(np.full(STYLE_SLOTS, 0.5))
        no_match[NO_MATCH_SLOT] = 0.9
        embedding = rng.standard_normal(512).astype(np.float32)
        embedding /= np.linalg.norm(embedding)

        for name, fn, probabilities in (
            ("similarity", ranking_similarity, probs),
            ("original", ranking_original, probs),
            ("no_match", ranking_similarity, no_match),
        ):
            query = RankingQuery(
                mode="brand",
                gender="F",
                body_size="M",
                probabilities=probabilities,
                embedding=embedding,
                k=settings.RECOMMENDATION_TOP_K,
            )
            started = time.perf_counter()
            result = fn(query)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert name != "no_match" or result.no_match, "the no-match query found a match"
    return {
        k: (statistics.median(v), sorted(v)[int(0.95 * len(v)) - 1]) for k, v in timings.items()
    }


def time_request(rng) -> list[float]:
    """Server time of one request, upload validation to stored results (no queueing: eager)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from PIL import Image

    from accounts.models import User
    from recommender.models import ModelVersion
    from recommender.services import requests as services
    from recommender.services.classifiers import classifier_for
    from recommender.services.registry import model_version_register

    if not ModelVersion.objects.filter(is_active=True).exists():
        import tempfile
        from pathlib import Path

        from mlcore.model import StyleCheckpoint
        from mlcore.network import resnet18_build
        from mlcore.preprocessing import Preprocessing
        from mlcore.styles import STYLE_CODES

        path = Path(tempfile.mkdtemp()) / "bench.pt"
        StyleCheckpoint(
            classes=list(STYLE_CODES),
            state_dict=resnet18_build(23).state_dict(),
            preprocessing=Preprocessing(),
        ).save(path)
        model_version_register(checkpoint_path=path, activate=True)
    classifier_for(ModelVersion.objects.get(is_active=True)).predict([_photo(rng)])  # load once
    user = User.objects.create(username=f"bench{rng.integers(1e9)}", role="brand")
    times = []
    for _ in range(10):
        data = _photo(rng)
        started = time.perf_counter()
        with transaction.atomic():
            request = services.recommendation_create(
                user=user, image=SimpleUploadedFile("a.jpg", data), gender="F", body_size="M"
            )
        services.recommendation_process(request_id=request.pk)
        times.append((time.perf_counter() - started) * 1000)
    del Image
    return times


def _photo(rng) -> bytes:
    from PIL import Image

    array = rng.integers(0, 255, size=(1000, 800, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--influencers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--posts", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--request", action="store_true", help="also time upload-to-results")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for n_influencers in args.influencers:
        for n_posts in args.posts:
            with bench_database() as vendor:
                from django.conf import settings

                settings.RATE_LIMITS["uploads"] = "100000/hour"
                started = time.perf_counter()
                build(n_influencers, n_posts, rng)
                built = time.perf_counter() - started
                result = time_rankings(rng)
                line = (
                    f"{vendor}: {n_influencers:,} influencers, {n_posts:,} posts (built in "
                    f"{built:.0f} s): similarity ranking median {result['similarity'][0]:.1f} ms"
                    f" p95 {result['similarity'][1]:.1f} ms; original ranking median "
                    f"{result['original'][0]:.1f} ms p95 {result['original'][1]:.1f} ms; "
                    f"similarity with no match (nearest-style fill) median "
                    f"{result['no_match'][0]:.1f} ms p95 {result['no_match'][1]:.1f} ms"
                )
                print(line, flush=True)
                if args.request:
                    times = time_request(rng)
                    print(
                        f"{vendor}: upload to stored results (1000x800 JPEG, fp32 224 px model, "
                        f"both rankings): median {statistics.median(times):.0f} ms, "
                        f"max {max(times):.0f} ms",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
