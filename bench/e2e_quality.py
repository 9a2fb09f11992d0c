"""End-to-end recommendation quality on real photos (issue 17).

A catalogue of fictional influencers whose posts are real K-Fashion photos of known style (by
default 7 of each influencer's 10 posts in their own style, 3 in the others) is imported through
the import service (`influencers.services.imports.posts_import`) and classified by the given model,
as any catalogue is. Other photos of known style (never in the catalogue) are then sent through
`POST /api/v1/recommendations/` in both modes; every request stores both rankings. The visual
ranking (`bench/visual_ranking.py`: the mean of each influencer's 5 best post-embedding cosines to the
photo's) is measured beside them on the same photo's embedding. A hit is a recommended influencer
whose true dominant style is the query photo's true style.

precision@3 is set beside:
- chance: three influencers drawn at random from the catalogue (the share of the query's style);
- a perfect classifier: the same rankings over the same (model-classified) catalogue with the
  query's true style as a certain prediction.

Catalogue and queries come from the model's held-out split when --data is its training folder
(the checkpoint's data fingerprint tells, as `evaluate_style_model` does), so the model never saw
them.

usage: python bench/e2e_quality.py --model real.pt [--data ../shared/data/kfashion-sample]
         [--influencers-per-style 6] [--posts 10] [--own 7] [--queries-per-style 30] [--seed 0]
"""

import argparse
import csv
import io
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

# Classification and recommendations run in this process, as in-process mode does, so each
# request is finished when the API answers; the upload limit is for people, not this script.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("UPLOAD_THROTTLE_RATE", "1000000/hour")

from _django import bench_database  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "kfashion-sample"


def split_photos(records, *, queries_per_style: int, rng: random.Random):
    """{style: [query records]}, {style: [catalogue records]}: no photo in both."""
    by_style: dict[str, list] = {}
    for record in records:
        by_style.setdefault(record.style, []).append(record)
    queries, pool = {}, {}
    for style, items in sorted(by_style.items()):
        items = sorted(items, key=lambda r: str(r.image_path))
        rng.shuffle(items)
        n = min(queries_per_style, len(items) // 2)
        queries[style], pool[style] = items[:n], items[n:]
    return queries, pool


def catalogue_write(pool, folder: Path, *, per_style: int, posts: int, own: int, rng):
    """posts.csv, influencers.csv and an image folder in the crawl format; {handle: style}."""
    images = folder / "images"
    images.mkdir()
    truth = {}
    people = io.StringIO()
    rows = io.StringIO()
    people_csv = csv.writer(people)
    people_csv.writerow(["user_name", "gender", "size", "followers"])
    posts_csv = csv.writer(rows)
    posts_csv.writerow(["user_name", "post_id", "text", "timestamp", "like", "video"])
    styles = sorted(pool)
    cursor = {style: 0 for style in styles}

    def take(style):
        items = pool[style]
        record = items[cursor[style] % len(items)]  # a small style's photos are reused
        cursor[style] += 1
        return record

    for style in styles:
        for i in range(per_style):
            handle = f"e2e_{style}_{i}"
            truth[handle] = style
            people_csv.writerow([handle, "F", "M", rng.randint(1_000, 200_000)])
            others = [s for s in styles if s != style]
            chosen = [style] * own + [rng.choice(others) for _ in range(posts - own)]
            typical = rng.lognormvariate(5.5, 1.0)
            hides = rng.random() < 0.2  # some accounts hide every like
            for k, post_style in enumerate(chosen):
                record = take(post_style)
                post_id = f"{handle}_{k}"
                shutil.copyfile(record.image_path, images / f"{post_id}.jpg")
                likes = -1 if hides or rng.random() < 0.1 else int(typical * rng.uniform(0.5, 1.5))
                posts_csv.writerow(
                    [handle, post_id, "", f"2026-{k % 12 + 1:02d}-01 12:00:00", likes, "false"]
                )
    return truth, rows.getvalue().encode(), people.getvalue().encode(), images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="a trained checkpoint (.pt)")
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--influencers-per-style", type=int, default=6)
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--own", type=int, default=7)
    parser.add_argument("--queries-per-style", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not Path(args.data).is_dir():
        sys.exit(f"no K-Fashion folder at {args.data}")
    rng = random.Random(args.seed)

    with bench_database() as vendor:
        import numpy as np
        from django.conf import settings
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test.utils import setup_test_environment
        from rest_framework.test import APIClient
        from visual_ranking import VISUAL_RANKING, ranking_visual

        from accounts.models import Role, User
        from influencers.models import Influencer, Post
        from influencers.services.imports import posts_import
        from mlcore.evaluate import evaluation_set_select
        from mlcore.model import StyleCheckpoint
        from mlcore.styles import STYLE_CODES, TAXONOMY_CODES, TAXONOMY_INDEX
        from recommender.models import RecommendationRequest
        from recommender.selectors.ranking import RankingQuery, ranking_original, ranking_similarity
        from recommender.services.classifiers import classifier_for
        from recommender.services.registry import model_version_register

        setup_test_environment()  # the API is called in-process, as the test client does
        logging.getLogger("celery").setLevel(logging.WARNING)  # one line per task otherwise
        checkpoint = StyleCheckpoint.load(Path(args.model))
        chosen = evaluation_set_select(Path(args.data), checkpoint)
        records = [r for r in chosen.records if r.style in STYLE_CODES]
        queries, pool = split_photos(records, queries_per_style=args.queries_per_style, rng=rng)
        version = model_version_register(checkpoint_path=args.model, name="e2e", activate=True)
        print(f"model: {version} · photos: {chosen.description}")

        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            truth, posts_data, people_data, images = catalogue_write(
                pool,
                Path(tmp),
                per_style=args.influencers_per_style,
                posts=args.posts,
                own=args.own,
                rng=rng,
            )
            report = posts_import(
                posts_data=posts_data,
                posts_name="posts.csv",
                influencers_data=people_data,
                influencers_name="influencers.csv",
                images=images,
            )
        classified = Post.objects.filter(classification_status="done").count()
        print(
            f"imported {Post.objects.count()} posts of {Influencer.objects.count()} influencers "
            f"({len(report.errors)} row errors), {classified} classified, "
            f"{time.perf_counter() - started:.0f} s"
        )
        handle_style = {i.pk: truth[i.handle] for i in Influencer.objects.all()}

        brand = User.objects.create(username="e2e_brand", role=Role.BRAND)
        consumer = User.objects.create(
            username="e2e_consumer", role=Role.CONSUMER, gender="F", body_size="M"
        )
        hits = {}  # (source, mode, ranking) -> [hits per query]
        chance = []
        model_right = 0
        query_list = [(style, r) for style, items in sorted(queries.items()) for r in items]
        started = time.perf_counter()
        for style, record in query_list:
            share = sum(1 for s in handle_style.values() if s == style) / len(handle_style)
            chance.append(share)
            for user, mode in ((brand, Role.BRAND), (consumer, Role.CONSUMER)):
                api = APIClient()
                api.force_authenticate(user)
                photo = SimpleUploadedFile("q.jpg", record.image_path.read_bytes(), "image/jpeg")
                response = api.post(
                    "/api/v1/recommendations/",
                    {"image": photo, "mode": mode, "gender": "F", "size": "M"},
                    format="multipart",
                )
                assert response.status_code == 202, response.content
                request = RecommendationRequest.objects.get(pk=response.json()["id"])
                assert request.status == "done", request.failure_reason
                if mode == Role.BRAND:
                    model_right += request.predicted_style == style
                for ranking, block in request.results.items():
                    found = [handle_style[c["influencer_id"]] == style for c in block["cards"][:3]]
                    hits.setdefault(("model", mode, ranking), []).append(sum(found))
                # the visual ranking (measured here, not offered): the photo's own embedding
                prediction = classifier_for(version).predict([record.image_path.read_bytes()])[0]
                visual = ranking_visual(
                    RankingQuery(
                        mode=mode,
                        gender="F",
                        body_size="M",
                        probabilities=prediction.probabilities,
                        embedding=prediction.embedding,
                        k=settings.RECOMMENDATION_TOP_K,
                    )
                )
                found = [handle_style[c["influencer_id"]] == style for c in visual.cards[:3]]
                hits.setdefault(("model", mode, VISUAL_RANKING), []).append(sum(found))
                # the same rankings with a certain, right prediction of the photo
                probabilities = np.zeros(len(TAXONOMY_CODES), dtype=np.float32)
                probabilities[TAXONOMY_INDEX[style]] = 1.0
                perfect = RankingQuery(
                    mode=mode,
                    gender="F",
                    body_size="M",
                    probabilities=probabilities,
                    embedding=np.zeros(512, dtype=np.float32),
                    k=settings.RECOMMENDATION_TOP_K,
                )
                for ranking, result in (
                    ("similarity", ranking_similarity(perfect)),
                    ("original", ranking_original(perfect)),
                ):
                    found = [handle_style[c["influencer_id"]] == style for c in result.cards[:3]]
                    hits.setdefault(("perfect", mode, ranking), []).append(sum(found))
        elapsed = time.perf_counter() - started
        n = len(query_list)
        print(
            f"{n} query photos ({', '.join(f'{s} {len(q)}' for s, q in sorted(queries.items()))})"
            f", {2 * n} API requests in {elapsed:.0f} s on {vendor}; the model's top-1 on them: "
            f"{model_right / n:.3f}; chance precision@3: {np.mean(chance):.3f}"
        )
        print("| mode | ranking | precision@3, this model | precision@3, perfect classifier |")
        print("|---|---|---|---|")
        for mode in (Role.BRAND, Role.CONSUMER):
            for ranking in ("similarity", "original", VISUAL_RANKING):
                model = np.sum(hits[("model", mode, ranking)]) / (3 * n)
                perfect = hits.get(("perfect", mode, ranking))
                perfect = (
                    f"{np.sum(perfect) / (3 * n):.3f}" if perfect else "— (no predicted style)"
                )
                print(f"| {mode} | {ranking} | {model:.3f} | {perfect} |")


if __name__ == "__main__":
    main()
