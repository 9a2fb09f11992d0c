"""Each style-share row keeps its influencer's gender, body size and whether a ranking may
recommend it (migration 0022's triggers), whatever path writes either table: the similarity
ranking walks only the rows in its filters."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from influencers.models import Influencer, InfluencerStyleShare
from influencers.services.curation import influencers_set_active
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db


def copies(influencer) -> set[tuple]:
    return set(
        InfluencerStyleShare.objects.filter(influencer=influencer).values_list(
            "gender", "body_size", "rankable"
        )
    )


@pytest.fixture
def posting():
    influencer = InfluencerFactory(handle="posting", gender="F", body_size="S")
    for style in ("street", "romantic", "street"):
        classified_post(influencer, style, 10)
    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    return influencer


def test_rows_written_with_the_profile_take_the_influencers_values(posting):
    assert InfluencerStyleShare.objects.filter(influencer=posting).count() == 2
    assert copies(posting) == {("F", "S", True)}


def test_a_bulk_update_a_save_and_deactivation_reach_the_rows_at_once(posting):
    Influencer.objects.filter(pk=posting.pk).update(gender="M")  # no signal, no save()
    assert copies(posting) == {("M", "S", True)}
    posting.refresh_from_db()
    posting.body_size = "L"
    posting.save()
    assert copies(posting) == {("M", "L", True)}
    influencers_set_active(influencer_ids=[posting.pk], active=False)
    assert copies(posting) == {("M", "L", False)}
    influencers_set_active(influencer_ids=[posting.pk], active=True)
    assert copies(posting) == {("M", "L", True)}


def test_an_influencer_waiting_for_curation_is_never_rankable(posting):
    Influencer.objects.filter(pk=posting.pk).update(body_size="")
    assert copies(posting) == {("F", "", False)}
    Influencer.objects.filter(pk=posting.pk).update(body_size="M")
    influencer_style_profile_rebuild(influencer_id=posting.pk)  # rows written again
    assert copies(posting) == {("F", "M", True)}


def test_another_influencers_change_leaves_these_rows_alone(posting):
    other = InfluencerFactory(handle="other", gender="F", body_size="S")
    classified_post(other, "street", 5)
    influencer_style_profile_rebuild(influencer_id=other.pk)
    Influencer.objects.filter(pk=other.pk).update(gender="M", is_active=False)
    assert copies(posting) == {("F", "S", True)}
    assert copies(other) == {("M", "S", False)}


@pytest.mark.django_db(transaction=True)
def test_a_profile_rebuild_during_a_curation_writes_the_curated_values():
    """Staff set gender and size in a transaction still open while a profile rebuild (a
    classification finishing) writes the influencer's share rows: the rows end as the influencer
    is once both commit, not as it was (PostgreSQL: the copy trigger waits for the influencer's
    row lock instead of reading the old values)."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once: PostgreSQL")
    influencer = InfluencerFactory(handle="curated_meanwhile", gender="", body_size="")
    classified_post(influencer, "street", 10)
    curated = threading.Event()

    def curate():
        try:
            with transaction.atomic():
                Influencer.objects.filter(pk=influencer.pk).update(gender="F", body_size="M")
                curated.set()
                time.sleep(1.0)  # updated, not yet committed
        finally:
            connections.close_all()

    staff = threading.Thread(target=curate)
    staff.start()
    assert curated.wait(10)
    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    staff.join(10)
    assert copies(influencer) == {("F", "M", True)}


def test_the_triggers_that_keep_the_copies_exist_at_the_latest_migration():
    """SQLite rebuilds a table for some schema changes (an altered field) and drops its triggers
    with it: a later migration that does so must create them again, or this fails."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"influencer_style_share_copy", "influencer_style_shares_follow"} <= names
