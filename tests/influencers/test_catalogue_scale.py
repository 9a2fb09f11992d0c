"""The list at catalogue scale (issue 25): what it filters, sorts and searches on is stored with
each influencer and, on PostgreSQL, indexed; counts stop at a cap. The figures are in
docs/benchmarks.md (bench/catalogue_scale.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from common import key_sets
from common.pagination import CappedCountPaginator
from influencers import search
from influencers.models import Influencer, InfluencerSearchWords, InfluencerStyleShare
from influencers.selectors import influencer_list
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db


def test_the_profile_keeps_the_style_shares_the_last_post_and_the_own_style_share():
    person = InfluencerFactory()
    now = timezone.now()
    for style, days in (("romantic", 3), ("romantic", 9), ("street", 1)):
        classified_post(person, style, 10, posted_at=now - timedelta(days=days))
    classified_post(person, "romantic", 10, image="", posted_at=None)  # no image, no date
    Influencer.objects.filter(pk=person.pk).update(style_stats={})
    influencer_style_profile_rebuild(influencer_id=person.pk)
    person.refresh_from_db()
    shares = dict(
        InfluencerStyleShare.objects.filter(influencer=person).values_list("style", "share")
    )
    # classified_post leaves the post's style as given; the shares count posts with an image
    with_image = person.classified_post_count - person.style_stats.get("no_image", {}).get(
        "posts", 0
    )
    assert shares == {
        style: entry["posts"] / with_image
        for style, entry in person.style_stats.items()
        if style != "no_image"
    }
    assert person.consumer_style_share == shares[person.consumer_style]
    assert person.last_posted_at == now - timedelta(days=1)
    # Rebuilt, not added to: the rows follow the posts.
    person.posts.filter(predicted_style="street").delete()
    influencer_style_profile_rebuild(influencer_id=person.pk)
    assert set(
        InfluencerStyleShare.objects.filter(influencer=person).values_list("style", flat=True)
    ) == {"romantic"}


@pytest.fixture
def crowd():
    people = [
        InfluencerFactory(handle=f"crowd_{i:02d}", followers=1000 + i, gender="F", body_size="M")
        for i in range(12)
    ]
    for person in people:
        classified_post(person, "street", 5, caption="오늘의 #데일리룩")
    return people


def test_a_list_count_stops_at_the_cap_and_says_so(crowd):
    paginator = CappedCountPaginator(influencer_list(filters={"q": "데일리룩"}), 5)
    paginator.count_cap = 10
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (10, True, 2)
    assert [i.handle for i in paginator.page(1)] == [f"crowd_{i:02d}" for i in range(11, 6, -1)]
    exact = CappedCountPaginator(influencer_list(filters={"q": "데일리룩"}), 5)
    assert (exact.count, exact.count_capped) == (12, False)


def test_the_page_and_the_api_say_more_than_the_cap(client, crowd, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 10)
    html = client.get("/influencers/", {"q": "데일리룩"}).content.decode()
    assert "10명 이상" in html or "more than 10" in html
    api = APIClient()
    api.force_authenticate(UserFactory())
    body = api.get("/api/v1/influencers/", {"q": "데일리룩"}).json()
    assert (body["count"], body["count_capped"]) == (10, True)
    body = api.get("/api/v1/influencers/", {"q": "데일리룩", "min_followers": 1010}).json()
    assert (body["count"], body["count_capped"]) == (2, False)


# --- PostgreSQL: each filter, sort and search can use its index -------------------------------


def _plan(params: dict) -> str:
    """The plan of the page's rows (a sort: in index order) or, for a filter, of its count (no
    order)."""
    ordered = "sort" in params or not params
    qs = influencer_list(filters=params)
    query = qs[:24] if ordered else qs.order_by().values("pk")
    sql, sql_params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows: without these, PostgreSQL rightly reads and sorts the table instead.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL enable_sort = {'off' if ordered else 'on'}")
        cursor.execute("EXPLAIN " + sql, sql_params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "params, index",
    [
        ({"sort": "followers"}, "influencer_by_followers"),
        ({"sort": "engagement"}, "influencer_by_engagement"),
        ({"sort": "recent"}, "influencer_by_last_post"),
        ({"sort": "style_share"}, "influencer_by_own_style_share"),
        # By handle: the unique index or the covering one (0023), the narrower for a few rows.
        ({}, "influencer_by_handle|influencers_influencer_handle_key"),
    ],
)
def test_on_postgresql_each_list_query_can_use_its_index(crowd, params, index):
    if connection.vendor != "postgresql":
        pytest.skip("these indexes exist on PostgreSQL only (migration 0017)")
    plan = _plan(params)
    assert any(name in plan for name in index.split("|")), plan


def test_on_postgresql_the_style_share_filter_reads_its_keys_from_the_share_index(crowd):
    """The keys of the influencers with that share come from the (style, share) index, and the
    list filters by them as one parameter, with the same result as the semi-join elsewhere."""
    if connection.vendor != "postgresql":
        pytest.skip("the keys are read first on PostgreSQL only")
    for person in crowd[:5]:
        influencer_style_profile_rebuild(influencer_id=person.pk)  # 100 % street
    with CaptureQueriesContext(connection) as queries:
        found = [
            i.handle for i in influencer_list(filters={"style": "street", "min_style_share": 10})
        ]
    assert found == [f"crowd_{i:02d}" for i in range(5)]
    keys_sql = queries.captured_queries[0]["sql"]
    assert "influencers_influencerstyleshare" in keys_sql
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE influencers_influencerstyleshare")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: else a scan
        cursor.execute("EXPLAIN " + keys_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # A handful of rows: PostgreSQL may take any index with the style; never a scan of them all.
    assert "Index" in plan and "Seq Scan" not in plan, plan


def test_on_postgresql_the_stored_search_vector_follows_the_words(crowd):
    if connection.vendor != "postgresql":
        pytest.skip("the stored tsvector exists on PostgreSQL only")
    crowd_00 = Influencer.objects.get(handle="crowd_00")
    InfluencerSearchWords.objects.filter(influencer=crowd_00).update(words="alpha\nbeta")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector::text FROM influencers_influencersearchwords WHERE influencer_id = %s",
            [crowd_00.pk],
        )
        vector = cursor.fetchone()[0]
    assert "'alpha' 'beta'" in vector and "'@crowd_00'" in vector and "'@wd_00'" in vector
    assert [i.handle for i in influencer_list(filters={"q": "alp"})] == ["crowd_00"]
    assert [i.handle for i in influencer_list(filters={"q": "wd_00"})] == ["crowd_00"]


@pytest.mark.parametrize(
    "q, found",
    [("데일리룩", 12), ("ootd", 12), ("오늘 데일리룩", 12), ("crowd_03", 1), ("wd_1", 2)],
)
def test_on_postgresql_the_matches_come_from_the_full_text_index_alone(crowd, q, found):
    """However many rows match (here: every one), the matches are read from the GIN index, never
    by checking each row's vector (tens of KB at a real account's size, which the planner counts
    as nearly free): influencer_search_ids plans its one query with sequential scans off, and
    the list filters by the ids it returns."""
    if connection.vendor != "postgresql":
        pytest.skip("the full-text index exists on PostgreSQL only")
    InfluencerSearchWords.objects.update(words="데일리룩\nootd\n오늘")  # every row matches
    terms = search.search_terms(q)
    query = search.search_tsquery([search.term_alternatives(t) for t in terms])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE influencers_influencersearchwords")
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'influencer_search_ids'")
        assert cursor.fetchone()[0] == ["enable_seqscan=off"]
        cursor.execute("SET LOCAL enable_seqscan = off")  # as the function's own setting does
        cursor.execute(
            "EXPLAIN SELECT influencer_id FROM influencers_influencersearchwords "
            "WHERE vector @@ %s::tsquery",
            [query],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "Bitmap Index Scan on influencer_search_words_vector" in plan, plan
    assert len(influencer_list(filters={"q": q})) == found


def test_the_search_needs_no_post_read(crowd):
    """One query for the rows (the shown rows' caption counts are subqueries of it), and on
    PostgreSQL one before it for the matches' ids, which reads the search words alone."""
    with CaptureQueriesContext(connection) as queries:
        assert len(influencer_list(filters={"q": "데일리룩"})[:24]) == 12
    *matches, rows = [q["sql"] for q in queries.captured_queries]
    assert len(matches) == (1 if connection.vendor == "postgresql" else 0)
    assert all("influencers_post" not in sql for sql in matches)


@pytest.mark.parametrize(
    "q", ["'", "a'b", "x:* | y", "!(&)", "\\'", "데일리룩'); DROP TABLE x;--", "% _", "😍 ::"]
)
def test_search_text_with_query_syntax_is_words_only_never_an_error(client, crowd, q):
    """The words reach the full-text query as lexemes (letters and digits), never as its syntax."""
    assert client.get("/influencers/", {"q": q}).status_code == 200
    found = [i.handle for i in influencer_list(filters={"q": q})]
    if "데일리룩" in q:
        assert found == []  # every word must match: 'drop', 'table', 'x' do not
    assert Influencer.objects.count() == 12


@pytest.mark.parametrize("q", ["데일리룩", "crowd_0", "crowd_1", "오늘 데일리룩"])
def test_on_postgresql_many_matches_filter_by_a_bitmap_with_the_same_result(crowd, monkeypatch, q):
    """Past KEYS_INLINE_MAX matches the list filters by a bitmap of their keys instead of an
    array: the same influencers, counts and order, with the other filters and a sort on top."""
    if connection.vendor != "postgresql":
        pytest.skip("the matches are read from the full-text index on PostgreSQL only")
    Influencer.objects.filter(handle__in=["crowd_02", "crowd_07"]).update(gender="M")
    for params in ({"q": q}, {"q": q, "gender": "F", "sort": "followers"}):
        by_keys = [i.handle for i in influencer_list(filters=params)]
        monkeypatch.setattr(key_sets, "KEYS_INLINE_MAX", 1)
        with CaptureQueriesContext(connection) as queries:
            by_bitmap = [i.handle for i in influencer_list(filters=params)]
        monkeypatch.undo()
        assert by_bitmap == by_keys and by_keys
        assert "get_bit(" in queries.captured_queries[-1]["sql"]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "followers"},
        {"sort": "engagement", "gender": "F"},
        {"q": "데일리룩", "sort": "recent"},
        {"style": "street", "min_style_share": 10, "sort": "followers"},
    ],
)
def test_pages_past_the_count_cap_read_their_keys_first_and_match_a_plain_slice(
    crowd, monkeypatch, params
):
    """When more match than are counted, a page's keys are read first and its rows by key: the
    same rows in the same order, with their annotations, as slicing the list."""
    for person in crowd[:7]:
        influencer_style_profile_rebuild(influencer_id=person.pk)
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 3)
    expected = list(influencer_list(filters=params))
    assert len(expected) > 3
    paginator = CappedCountPaginator(influencer_list(filters=params), 2)
    assert paginator.count_capped
    for number in (1, 2):
        page = list(paginator.page(number))
        start = (number - 1) * 2
        assert [i.pk for i in page] == [i.pk for i in expected[start : start + 2]]
        assert all(
            i.cover_image == e.cover_image for i, e in zip(page, expected[start:], strict=False)
        )
        if "q" in params:
            assert [i.caption_hits for i in page] == [1, 1]
