"""Migration influencers 0021_ranking_evidence: each style share row gets the similarity ranking's
evidence (mlcore.ranking.style_evidence, consumers and brands) from the profile's style_stats, on
SQLite and on PostgreSQL (DATABASE_URL), and back; the profile rebuild writes the same numbers."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mlcore.ranking import style_evidence
from mlcore.styles import TAXONOMY_INDEX

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("influencers", "0020_influencer_search_words")]
AFTER = [("influencers", "0021_ranking_evidence")]
STATS = {
    "romantic": {"posts": 3, "likes": 300.0},
    "punk": {"posts": 2, "likes": 0.0},  # posted, never liked: the brand floor
    "other": {"posts": 1, "likes": 50.0},
    "no_image": {"posts": 2, "likes": 16.667},
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_leaf():
    """Whatever a test does to the schema, the next test finds it migrated to the end."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def expected(stats):
    by_posts, _ = style_evidence(stats, by_likes=False)
    by_likes, _ = style_evidence(stats, by_likes=True)
    return {
        style: (by_posts[TAXONOMY_INDEX[style]], by_likes[TAXONOMY_INDEX[style]])
        for style in ("romantic", "punk")
    }


def test_the_evidence_is_filled_from_the_profiles_and_removed_going_back(at_leaf):
    apps = migrate(BEFORE)
    Influencer = apps.get_model("influencers", "Influencer")
    StyleShare = apps.get_model("influencers", "InfluencerStyleShare")
    person = Influencer.objects.create(handle="posted", style_stats=STATS)
    for style, posts in (("romantic", 3), ("punk", 2)):
        StyleShare.objects.create(influencer=person, style=style, posts=posts, share=posts / 6)
    Influencer.objects.create(handle="nothing_yet", style_stats={})

    apps = migrate(AFTER)
    StyleShare = apps.get_model("influencers", "InfluencerStyleShare")
    filled = {
        row.style: (row.consumer_evidence, row.brand_evidence) for row in StyleShare.objects.all()
    }
    assert filled == expected(STATS)  # the same floats
    assert filled["romantic"] == pytest.approx((3 / 8, 300 / 366.667))
    assert filled["punk"] == pytest.approx((2 / 8, 2 / (366.667 + 8)))

    apps = migrate(BEFORE)
    StyleShare = apps.get_model("influencers", "InfluencerStyleShare")
    assert StyleShare.objects.count() == 2
    assert not {f.name for f in StyleShare._meta.fields} & {"consumer_evidence", "brand_evidence"}


def test_the_profile_rebuild_writes_the_ranking_s_evidence():
    from influencers.models import InfluencerStyleShare
    from influencers.services.profiles import influencer_style_profile_rebuild
    from tests.factories import InfluencerFactory, classified_post

    person = InfluencerFactory()
    for style, likes in [("romantic", 100)] * 3 + [("punk", 0)] * 2 + [("other", 50)]:
        classified_post(person, style, likes)
    classified_post(person, "romantic", None, image="")  # hidden likes, no image
    person = influencer_style_profile_rebuild(influencer_id=person.pk)
    rows = InfluencerStyleShare.objects.filter(influencer=person)
    written = {row.style: (row.consumer_evidence, row.brand_evidence) for row in rows}
    assert written == expected(person.style_stats)
