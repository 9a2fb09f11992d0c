"""style_evidence_rows (many profiles at once) gives style_evidence's numbers exactly, row by row."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.ranking import style_evidence, style_evidence_rows, style_totals
from mlcore.styles import STYLE_CODES

# Keys a profile holds besides the 23 styles: 기타 (other), posts without an image, and any other.
EXTRA_KEYS = ["other", "no_image", "unknown_key"]
LIKES = st.one_of(
    st.just(0.0),
    st.integers(0, 100_000).map(float),
    st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
    st.floats(0, 1e6, allow_nan=False),
)
ENTRY = st.fixed_dictionaries({}, optional={"posts": st.integers(0, 500), "likes": LIKES})
STATS = st.dictionaries(st.sampled_from([*STYLE_CODES, *EXTRA_KEYS]), ENTRY, max_size=26)


def rows(profiles: list[dict], *, by_likes: bool) -> np.ndarray:
    totals = [style_totals(stats) for stats in profiles]
    posts, likes, all_posts, all_likes = (np.array(column) for column in zip(*totals, strict=True))
    return style_evidence_rows(posts, likes, all_posts, all_likes, by_likes=by_likes)


def assert_same(profiles: list[dict], *, by_likes: bool):
    shares = rows(profiles, by_likes=by_likes)
    for row, stats in zip(shares, profiles, strict=True):
        expected, _ = style_evidence(stats, by_likes=by_likes)
        assert np.array_equal(row, expected), stats  # exactly: the same floats


@settings(max_examples=300, deadline=None)
@given(profiles=st.lists(STATS, min_size=1, max_size=8), by_likes=st.booleans())
def test_rows_equal_the_scalar_evidence(profiles, by_likes):
    assert_same(profiles, by_likes=by_likes)


def random_profile(rng: np.random.Generator) -> dict:
    stats = {}
    keys = [*STYLE_CODES, *EXTRA_KEYS]
    for key in rng.choice(keys, size=rng.integers(0, len(keys)), replace=False):
        kind = rng.integers(0, 6)
        posts = int(rng.integers(1, 60))
        if kind == 0:  # posted, never liked (or every like hidden with nothing to impute from)
            stats[str(key)] = {"posts": posts, "likes": 0.0}
        elif kind == 1:  # imputed means: rounded to the profile's decimals
            stats[str(key)] = {"posts": posts, "likes": round(float(rng.random() * 1e4), 3)}
        elif kind == 2:
            stats[str(key)] = {"posts": posts, "likes": float(rng.random() * 1e5)}
        elif kind == 3:
            stats[str(key)] = {"posts": posts}  # no likes key
        else:
            stats[str(key)] = {"posts": posts, "likes": float(rng.integers(0, 10_000))}
    return stats


@pytest.mark.parametrize("by_likes", [True, False])
def test_rows_equal_the_scalar_evidence_on_seeded_catalogues(by_likes):
    rng = np.random.default_rng(20261203)
    profiles = [random_profile(rng) for _ in range(500)]
    profiles += [
        {},  # no classified post at all
        {"no_image": {"posts": 3, "likes": 10.0}},  # nothing but posts without an image
        {"other": {"posts": 2, "likes": 0.0}, "punk": {"posts": 1, "likes": 0.0}},  # no likes
        {"punk": {"posts": 4, "likes": 0.0}, "street": {"posts": 2, "likes": 7.5}},  # unliked
        {"street": {"posts": 0, "likes": 0.0}},  # a key without posts
        {"unknown_key": {"posts": 5, "likes": 9.0}, "street": {"posts": 1, "likes": 0.1}},
    ]
    assert_same(profiles, by_likes=by_likes)


@pytest.mark.parametrize("by_likes", [True, False])
def test_a_column_not_read_leaves_the_others_exact(by_likes):
    """The ranking reads only the asked styles' numbers (the totals from every key): those
    columns are style_evidence's exactly, the others 0."""
    rng = np.random.default_rng(7)
    profiles = [random_profile(rng) for _ in range(200)]
    read = [STYLE_CODES.index(code) for code in ("street", "punk", "romantic")]
    totals = [style_totals(stats) for stats in profiles]
    posts, likes, all_posts, all_likes = (np.array(column) for column in zip(*totals, strict=True))
    kept = np.zeros(len(STYLE_CODES), dtype=bool)
    kept[read] = True
    posts[:, ~kept], likes[:, ~kept] = 0, 0
    shares = style_evidence_rows(posts, likes, all_posts, all_likes, by_likes=by_likes)
    for row, stats in zip(shares, profiles, strict=True):
        expected, _ = style_evidence(stats, by_likes=by_likes)
        assert np.array_equal(row[kept], expected[kept])
        assert not row[~kept].any()


def test_no_profile_gives_no_rows():
    empty = np.zeros((0, len(STYLE_CODES)))
    assert style_evidence_rows(empty, empty, [], [], by_likes=True).shape == empty.shape
