"""The similarity ranking reads only the candidates that can reach its places (a threshold walk
over the stored per-style evidence), and its cards, scores, notes and order are exactly those of
scoring every influencer in the filters row by row from its style_stats (mlcore.ranking's rules:
style_evidence, engagement_scores, evidence_scores, the tie and brand-evidence rules): on a
catalogue with hidden likes, accounts that hide every like, posts without an image or of 기타,
unliked styles, a size to relax, next guesses to fill, ties and brands short of evidence, and on
random catalogues, in both modes and with walks of every batch size."""

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.vectors import vector_to_bytes
from influencers.models import ClassificationStatus, Influencer, Post
from influencers.services.profiles import influencer_style_profile_rebuild
from mlcore.ranking import (
    SCORE_DECIMALS,
    engagement_scores,
    evidence_scores,
    nearest_style_order,
    query_style_weights,
    style_evidence,
)
from mlcore.styles import STYLE_CODES, TAXONOMY_CODES, TAXONOMY_INDEX
from recommender.constants import BRAND_MIN_STYLE_POSTS, BRAND_MIN_STYLE_SHARE
from recommender.selectors.ranking import RankingQuery, ranking_similarity, similarity
from tests.factories import InfluencerFactory, style_probabilities

pytestmark = pytest.mark.django_db

# Walks of one row at a time (every stop tested), a few, and the ranking's own first batch.
WALK_BATCHES = [1, 3, similarity.WALK_BATCH_FIRST]


@pytest.fixture(params=WALK_BATCHES, ids=lambda n: f"batch{n}")
def walk_batch(request, monkeypatch):
    monkeypatch.setattr(similarity, "WALK_BATCH_FIRST", request.param)
    return request.param


def build(handle, posts, size="M", followers=None, no_image=(), gender="F", **fields):
    """An influencer with classified posts [(style, likes)] (None: hidden) and unclassifiable
    posts without an image, and the profile the services derive from them."""
    influencer = InfluencerFactory(
        handle=handle, gender=gender, body_size=size, followers=followers, **fields
    )
    rows = [
        Post(
            influencer=influencer,
            instagram_id=f"{handle}-{i}",
            likes=likes,
            image="posts/x.jpg",
            classification_status=ClassificationStatus.DONE,
            predicted_style=style,
            style_probabilities=vector_to_bytes(style_probabilities(style)),
        )
        for i, (style, likes) in enumerate(posts)
    ]
    rows += [
        Post(
            influencer=influencer,
            instagram_id=f"{handle}-noimage-{i}",
            likes=likes,
            image="",
            classification_status=ClassificationStatus.UNCLASSIFIABLE,
        )
        for i, likes in enumerate(no_image)
    ]
    Post.objects.bulk_create(rows)
    return influencer_style_profile_rebuild(influencer_id=influencer.pk)


def query(mode, k, styles, gender="F", size="M"):
    probabilities = np.zeros(len(TAXONOMY_CODES), dtype=np.float32)
    for style, p in styles.items():
        probabilities[TAXONOMY_INDEX[style]] = p
    return RankingQuery(
        mode=mode,
        gender=gender,
        body_size=size,
        probabilities=probabilities,
        embedding=np.zeros(512, dtype=np.float32),
        k=k,
    )


# --- the reference: every influencer in the filters scored, row by row ------------------------


def reference(q):
    """What ranking_similarity returns (summary()), from every influencer's style_stats."""
    weights = query_style_weights(q.probabilities)
    profiles = list(
        Influencer.objects.filter(is_active=True)
        .exclude(gender="")
        .exclude(body_size="")
        .values_list("pk", "gender", "body_size", "style_stats", "average_likes", "engagement_rate")
    )
    known = dict(Influencer.objects.values_list("pk", "likes_known"))

    def in_filters(row, same_size):
        _, gender, size, *_ = row
        if q.gender and gender != q.gender:
            return False
        return (not q.body_size or size == q.body_size) if same_size else size != q.body_size

    def ranked(rows, w, places):
        entries = []
        for pk, _, _, stats, average, rate in rows:
            shares, posts = style_evidence(stats, by_likes=q.by_likes)
            in_styles = posts[w > 0].sum()
            if not in_styles:
                continue  # not a match: posts none of the styles
            engagement = engagement_scores(
                [average], [np.nan if rate is None else rate], [known[pk]]
            )
            (score,), _ = evidence_scores(w, shares[None], engagement)
            all_posts = sum(v.get("posts", 0) for v in stats.values())
            enough = not q.by_likes or (
                in_styles >= BRAND_MIN_STYLE_POSTS
                and in_styles >= BRAND_MIN_STYLE_SHARE * all_posts
            )
            entries.append((not enough, -np.round(score, SCORE_DECIMALS), pk, score, enough))
        return [(pk, score, enough) for *_, pk, score, enough in sorted(entries)[:places]]

    same = [row for row in profiles if in_filters(row, True)]
    cards = [(pk, s, e, False, "") for pk, s, e in ranked(same, weights, q.k)]
    notes, nearest = [], []
    if len(cards) < q.k:
        notes.append("fewer_matches")
        other = [row for row in profiles if q.body_size and in_filters(row, False)]
        relaxed = ranked(other, weights, q.k - len(cards))
        if relaxed:
            notes.append("size_relaxed")
        cards += [(pk, s, e, True, "") for pk, s, e in relaxed]
    if len(cards) < q.k:
        for index in nearest_style_order(q.probabilities, weights):
            chosen = {card[0] for card in cards}
            one_style = np.eye(len(STYLE_CODES))[index]
            rest = [row for row in same if row[0] not in chosen]
            filled = ranked(rest, one_style, q.k - len(cards))
            if filled:
                nearest.append(STYLE_CODES[index])
            cards += [(pk, s, e, False, STYLE_CODES[index]) for pk, s, e in filled]
        if nearest:
            notes.append("nearest_style")
    top = STYLE_CODES[int(np.argmax(weights))]
    no_match = None
    if not any(row[3].get(top, {}).get("posts") for row in same):
        notes.append("no_style_match")
        relaxed_filter = "body_size" if "size_relaxed" in notes else ""
        no_match = {"style": top, "relaxed_filter": relaxed_filter, "nearest_styles": nearest}
    return (
        [(pk, round(float(s), 4), bool(e), r, n) for pk, s, e, r, n in cards],
        notes,
        nearest,
        no_match,
    )


def summary(result):
    return (
        [
            (
                card["influencer_id"],
                card["score"],
                card["enough_evidence"],
                card["size_relaxed"],
                card["nearest_style"],
            )
            for card in result.cards
        ],
        [str(note) for note in result.notes],
        result.nearest_styles,
        result.no_match,
    )


def assert_as_reference(q):
    expected = reference(q)
    assert summary(ranking_similarity(q)) == expected, (q.mode, q.k, q.gender, q.body_size)
    return expected


# --- a hand-built catalogue ---------------------------------------------------------------------


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
    # equal profiles, so equal scores: the earlier influencer first
    build("tie_first", [("romantic", 40)] * 2 + [("classic", 40)] * 2, followers=800)
    build("tie_second", [("romantic", 40)] * 2 + [("classic", 40)] * 2, followers=800)
    build("unsized", [("romantic", 9000)] * 9, size="")  # waits for staff: never a card


MIXED = {"romantic": 0.5, "resort": 0.3, "punk": 0.12, "street": 0.08}


@pytest.mark.parametrize("mode", ["brand", "consumer"])
@pytest.mark.parametrize("k", [1, 3, 5, 8, 12, 14])
def test_the_ranking_is_every_candidate_scored_row_by_row(catalogue, walk_batch, mode, k):
    cards, notes, *_ = assert_as_reference(query(mode, k, MIXED))
    if k >= 12:  # every match, the other size and next guesses
        assert notes == ["fewer_matches", "size_relaxed", "nearest_style"]


@pytest.mark.parametrize("mode", ["brand", "consumer"])
def test_equal_scores_go_to_the_earlier_influencer(catalogue, walk_batch, mode):
    first, second = Influencer.objects.filter(handle__startswith="tie_").order_by("pk")
    cards, *_ = assert_as_reference(query(mode, 14, {"classic": 1.0}))
    assert [card[0] for card in cards[:2]] == [first.pk, second.pk]
    assert cards[0][1] == cards[1][1]


@pytest.mark.parametrize("mode", ["brand", "consumer"])
@pytest.mark.parametrize("size", ["M", "L", ""])
def test_nobody_posting_the_style_fills_from_the_other_sizes_and_the_next_guesses(
    catalogue, walk_batch, mode, size
):
    # nobody in F/M posts 오리엔탈 (oriental); the model's next guesses are resort, then punk
    styles = {"oriental": 0.6, "resort": 0.25, "punk": 0.15}
    for k in (2, 6):
        _, notes, _, no_match = assert_as_reference(query(mode, k, styles, size=size))
        assert "no_style_match" in notes and no_match["style"] == "oriental"
    assert_as_reference(query(mode, 4, {"romantic": 0.6, "oriental": 0.4}, gender=""))


def test_brands_with_enough_posts_in_the_style_come_before_the_best_evidence(walk_batch):
    # The best likes shares are one or two viral street posts among many: not enough evidence.
    for n in range(4):
        build(f"viral_{n}", [("street", 100_000 + n)] * (1 + n % 2) + [("classic", 10)] * 20)
    steady = [
        build(f"steady_{n}", [("street", 100 + n)] * 4 + [("classic", 100)] * 6) for n in range(3)
    ]
    cards, *_ = assert_as_reference(query("brand", 2, {"street": 1.0}))
    assert [card[0] for card in cards] == [steady[2].pk, steady[1].pk]
    assert all(enough for _, _, enough, _, _ in cards)
    cards, *_ = assert_as_reference(query("brand", 5, {"street": 1.0}))
    assert [enough for _, _, enough, _, _ in cards] == [True, True, True, False, False]


# --- random catalogues ----------------------------------------------------------------------------

RANDOM_STYLES = ["romantic", "resort", "punk", "street", "classic", "oriental", "other"]


def random_catalogue(rng):
    profiles = []
    for n in range(int(rng.integers(12, 28))):
        if profiles and rng.random() < 0.15:  # the same posts as another: equal scores
            posts, no_image = profiles[int(rng.integers(len(profiles)))]
        else:
            hide_all = rng.random() < 0.15
            posts = [
                (
                    str(rng.choice(RANDOM_STYLES, p=[0.25, 0.2, 0.15, 0.15, 0.1, 0.05, 0.1])),
                    None
                    if hide_all or rng.random() < 0.15
                    else [0, int(rng.integers(1, 50)), int(rng.integers(1, 100_000))][
                        int(rng.integers(3))
                    ],
                )
                for _ in range(int(rng.integers(1, 14)))
            ]
            no_image = [None if hide_all else int(rng.integers(0, 30))] * int(rng.integers(0, 3))
        profiles.append((posts, no_image))
        build(
            f"random_{n}",
            posts,
            no_image=no_image,
            gender=str(rng.choice(["F", "F", "M"])),
            size=str(rng.choice(["S", "M", "M", "L", ""])),
            followers=None if rng.random() < 0.3 else int(rng.integers(1, 50_000)),
            is_active=bool(rng.random() < 0.92),
        )


def random_query(rng, mode):
    chosen = rng.choice(RANDOM_STYLES[:-1], size=int(rng.integers(1, 5)), replace=False)
    weights = rng.dirichlet(np.ones(len(chosen)))
    return query(
        mode,
        int(rng.integers(1, 9)),
        dict(zip(chosen, weights, strict=True)),
        gender=str(rng.choice(["F", "M", ""])),
        size=str(rng.choice(["S", "M", "L", ""])),
    )


@pytest.mark.parametrize("seed", range(4))
def test_random_catalogues_rank_as_every_candidate_scored_row_by_row(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    random_catalogue(rng)
    for batch in WALK_BATCHES:
        monkeypatch.setattr(similarity, "WALK_BATCH_FIRST", batch)
        for _ in range(8):
            for mode in ("brand", "consumer"):
                assert_as_reference(random_query(rng, mode))


# --- what the walk reads --------------------------------------------------------------------------


def test_the_ranking_reads_far_fewer_rows_than_there_are_candidates(monkeypatch):
    monkeypatch.setattr(similarity, "WALK_BATCH_FIRST", 4)  # small batches, to count rows closely
    monkeypatch.setattr(similarity, "WALK_BATCH_GROWTH", 2)
    rng = np.random.default_rng(0)
    candidates = 200
    for n in range(candidates):
        # most post the style now and then, a few devotedly (as a real catalogue's posters do)
        street = 1 + int(19 * rng.random() ** 2)
        likes = int(rng.integers(10, 1000))
        build(f"poster_{n}", [("street", likes)] * street + [("classic", likes)] * (20 - street))
    for mode in ("brand", "consumer"):
        with CaptureQueriesContext(connection) as captured:
            assert_as_reference(query(mode, 3, {"street": 1.0}))
        walked = [  # each read's rows: its last one is found at OFFSET rows - 1
            int(sql["sql"].rsplit("OFFSET", 1)[1].split()[0]) + 1
            for sql in captured
            if "OFFSET" in sql["sql"] and "influencers_influencerstyleshare" in sql["sql"]
        ]
        assert walked and sum(walked) < candidates / 4, walked  # rows walked, in filters or not
