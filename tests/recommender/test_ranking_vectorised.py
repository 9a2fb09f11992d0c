"""The similarity ranking's output, pinned on a catalogue with hidden likes, accounts that hide
every like, posts without an image or of 기타, a size to relax and next guesses to fill: the
candidates are read and scored as arrays (mlcore.ranking.style_evidence_rows), and every card,
score, note and order is the one the row-by-row ranking (mlcore.ranking.style_evidence) gave."""

import json
import math

import numpy as np
import pytest

from influencers.models import ClassificationStatus, Influencer, Post
from influencers.services.profiles import influencer_style_profile_rebuild
from mlcore.ranking import style_evidence
from mlcore.styles import STYLE_CODES, TAXONOMY_CODES, TAXONOMY_INDEX
from recommender.selectors.ranking import RankingQuery, ranking_similarity, similarity
from tests.factories import InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db


def build(handle, posts, size="M", followers=None, no_image=()):
    influencer = InfluencerFactory(handle=handle, gender="F", body_size=size, followers=followers)
    for style, likes in posts:
        classified_post(influencer, style, likes)
    for i, likes in enumerate(no_image):
        Post.objects.create(
            influencer=influencer,
            instagram_id=f"noimage-{handle}-{i}",
            likes=likes,
            image="",
            classification_status=ClassificationStatus.UNCLASSIFIABLE,
        )
    return influencer_style_profile_rebuild(influencer_id=influencer.pk)


@pytest.fixture
def catalogue():
    build(
        "mixed_hidden",
        [("romantic", 100)] * 3 + [("romantic", None)] * 2 + [("resort", 50), ("other", 20)],
        no_image=[10, None],
    )
    build("all_hidden", [("romantic", None)] * 2 + [("punk", None)])
    build("resort_poster", [("resort", 10)] * 4 + [("romantic", 900)], followers=1000)
    build("one_romantic_many_street", [("romantic", 800)] + [("street", 30)] * 20)
    build("unliked_romantic", [("romantic", 0)] * 3 + [("resort", 333.3)] * 2, followers=50)
    build("small_size", [("romantic", 5000)] * 5, size="S")
    build("punk_only", [("punk", 70)] * 6 + [("other", 5)], followers=300)
    build("street_only", [("street", 12)] * 3, no_image=[4])


def query(mode, k):
    probabilities = np.zeros(len(TAXONOMY_CODES), dtype=np.float32)
    for style, p in (("romantic", 0.5), ("resort", 0.3), ("punk", 0.12), ("street", 0.08)):
        probabilities[TAXONOMY_INDEX[style]] = p
    embedding = np.zeros(512, dtype=np.float32)
    embedding[TAXONOMY_INDEX["romantic"]] = 1
    return RankingQuery(
        mode=mode, gender="F", body_size="M", probabilities=probabilities, embedding=embedding, k=k
    )


def summary(result):
    return (
        [
            (
                card["handle"],
                card["score"],
                card["enough_evidence"],
                card["size_relaxed"],
                card["nearest_style"],
            )
            for card in result.cards
        ],
        [str(note) for note in result.notes],
        result.nearest_styles,
    )


EXPECTED = {
    ("brand", 3): (
        [
            ("resort_poster", 0.6057, True, False, ""),
            ("mixed_hidden", 0.5219, True, False, ""),
            ("all_hidden", 0.4956, True, False, ""),
        ],
        [],
        [],
    ),
    ("brand", 8): (
        [
            ("resort_poster", 0.6057, True, False, ""),
            ("mixed_hidden", 0.5219, True, False, ""),
            ("all_hidden", 0.4956, True, False, ""),
            ("unliked_romantic", 0.408, True, False, ""),
            ("punk_only", 0.1428, True, False, ""),
            # one romantic post of 21: not enough evidence, after every one with enough
            ("one_romantic_many_street", 0.373, False, False, ""),
            ("small_size", 0.6793, True, True, ""),
            ("street_only", 1.125, True, False, "street"),
        ],
        ["fewer_matches", "size_relaxed", "nearest_style"],
        ["street"],
    ),
    ("consumer", 3): (
        [
            ("unliked_romantic", 0.5669, True, False, ""),
            ("all_hidden", 0.4956, True, False, ""),
            ("resort_poster", 0.419, True, False, ""),
        ],
        [],
        [],
    ),
    ("consumer", 8): (
        [
            ("unliked_romantic", 0.5669, True, False, ""),
            ("all_hidden", 0.4956, True, False, ""),
            ("resort_poster", 0.419, True, False, ""),
            ("mixed_hidden", 0.4053, True, False, ""),
            ("punk_only", 0.1239, True, False, ""),
            ("one_romantic_many_street", 0.0311, True, False, ""),
            ("small_size", 0.6793, True, True, ""),
            ("street_only", 0.9375, True, False, "street"),
        ],
        ["fewer_matches", "size_relaxed", "nearest_style"],
        ["street"],
    ),
}


@pytest.mark.parametrize(("mode", "k"), list(EXPECTED))
def test_the_ranking_is_the_row_by_row_one(catalogue, mode, k):
    # Pinned from the ranking that scored one _Candidate per row with style_evidence.
    assert summary(ranking_similarity(query(mode, k))) == EXPECTED[mode, k]


@pytest.mark.parametrize("mode", ["brand", "consumer"])
@pytest.mark.parametrize(
    "posting", [["resort", "romantic"], ["punk", "street", "classic"], ["street"]]
)
def test_the_candidates_numbers_are_style_evidence_s_exactly(catalogue, mode, posting):
    q = query(mode, 3)
    read = similarity._candidates(q, same_size=True, posting=posting)
    stats = dict(Influencer.objects.values_list("pk", "style_stats"))
    columns = [STYLE_CODES.index(code) for code in posting]
    expected_ids = sorted(pk for pk, s in stats.items() if set(s) & set(posting))
    assert sorted(read.ids.tolist()) == [
        pk for pk in expected_ids if Influencer.objects.get(pk=pk).body_size == "M"
    ]
    for row, pk in enumerate(read.ids):
        shares, posts = style_evidence(stats[pk], by_likes=q.by_likes)
        assert np.array_equal(read.shares[row, columns], shares[columns])  # the same floats
        assert np.array_equal(read.posts[row, columns], posts[columns])
        assert read.all_posts[row] == sum(v.get("posts", 0) for v in stats[pk].values())


def test_the_profile_totals_are_the_exact_sums_of_the_stored_numbers():
    rng = np.random.default_rng(5)
    texts = [None, "[]", "[ ]", "[null, 5]", "[1e-05, 3]", "[9007199254740993, 1]", "[-0.0]"]
    texts += ["[0.1, 0.2]", "[0.30000000000000004, 1.5, 2]", "[100.0, 50.0]"]
    for _ in range(2000):
        size = int(rng.integers(0, 26))
        kind = rng.integers(0, 4, size=size)
        values = [
            [int(rng.integers(0, 5000)), round(float(rng.random()) * 1e4, 3), None][k]
            if k < 3
            else float(rng.random()) * 1e6
            for k in kind
        ]
        texts.append(json.dumps(values, separators=(",", ":") if rng.random() < 0.5 else None))
    expected = [math.fsum(filter(None, json.loads(text or "[]"))) for text in texts]
    assert np.array_equal(similarity._exact_sums(texts), expected)
