"""precision@3 of the original and the similarity ranking on a labelled query set.

The catalogue's influencers have known dominant styles (each posts mostly one style, some a second
one); each query has a known true style. A hit is a recommended influencer whose dominant style is the
query's true style. Two classifiers are simulated on the same queries: a perfect one, and an imperfect
one whose top label is wrong but whose top 3 contains the truth (the case soft matching is for).

usage: python bench/ranking_quality.py [--influencers 300] [--queries 400]
"""

import argparse

import numpy as np
from _django import bench_database

STYLES = 23


def build_catalogue(n: int, rng) -> dict[int, str]:
    from common.vectors import vector_to_bytes
    from influencers.models import ClassificationStatus, Influencer, Post
    from influencers.services.profiles import influencer_style_profile_rebuild
    from mlcore.styles import STYLE_CODES

    dominant = {}
    for i in range(n):
        main = STYLE_CODES[i % STYLES]
        second = STYLE_CODES[(i * 7 + 3) % STYLES]
        influencer = Influencer.objects.create(
            handle=f"q{i}", gender="F", body_size="M", followers=int(rng.integers(1000, 100000))
        )
        posts = []
        for k in range(int(rng.integers(20, 40))):
            style = (
                main
                if rng.random() < 0.65
                else second
                if rng.random() < 0.6
                else STYLE_CODES[int(rng.integers(STYLES))]
            )
            probs = np.full(24, 0.02 / 23, dtype=np.float32)
            probs[STYLE_CODES.index(style)] = 0.6
            probs[int(rng.integers(STYLES))] += 0.38
            probs /= probs.sum()
            posts.append(
                Post(
                    influencer=influencer,
                    instagram_id=f"q{i}_{k}",
                    likes=int(rng.integers(10, 2000)),
                    image="posts/x.jpg",
                    classification_status=ClassificationStatus.DONE,
                    predicted_style=STYLE_CODES[int(probs[:STYLES].argmax())],
                    style_probabilities=vector_to_bytes(probs),
                    embedding=vector_to_bytes(np.eye(512, dtype=np.float32)[k % 512]),
                )
            )
        Post.objects.bulk_create(posts)
        influencer_style_profile_rebuild(influencer_id=influencer.pk)
        dominant[influencer.pk] = main
    return dominant


def query_vectors(true_index: int, rng, imperfect: bool) -> np.ndarray:
    probs = np.full(24, 0.0, dtype=np.float32)
    if not imperfect:
        probs[true_index] = 0.7
        probs[int(rng.integers(STYLES))] += 0.3
    else:  # the top label is wrong; the truth is second or third
        wrong = (true_index + 1 + int(rng.integers(STYLES - 1))) % STYLES
        probs[wrong] = 0.45
        probs[true_index] = 0.35 if rng.random() < 0.5 else 0.2
        probs[(wrong + 5) % STYLES] += 0.45 - probs[true_index] + 0.1
    probs[:STYLES] += 0.001
    return probs / probs.sum()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--influencers", type=int, default=300)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with bench_database() as vendor:
        from mlcore.styles import STYLE_CODES
        from recommender.selectors.ranking import RankingQuery
        from recommender.services.requests import ranking_results

        dominant = build_catalogue(args.influencers, rng)
        for imperfect in (False, True):
            hits = {"original": [], "similarity": []}
            for q in range(args.queries):
                truth = q % STYLES
                probs = query_vectors(truth, rng, imperfect)
                for mode in ("brand", "consumer"):
                    query = RankingQuery(
                        mode=mode,
                        gender="F",
                        body_size="M",
                        probabilities=probs,
                        embedding=np.eye(512, dtype=np.float32)[0],
                        k=3,
                    )
                    for name, block in ranking_results(query=query).items():
                        cards = block["cards"]
                        hits[name].append(
                            sum(dominant[c["influencer_id"]] == STYLE_CODES[truth] for c in cards)
                            / 3
                        )
            label = (
                "imperfect classifier (top-1 wrong, truth in top 3)"
                if imperfect
                else "perfect classifier"
            )
            print(
                f"{vendor}, {args.influencers} influencers, {args.queries} queries x 2 modes, "
                f"{label}: precision@3 original {np.mean(hits['original']):.3f}, "
                f"similarity {np.mean(hits['similarity']):.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
