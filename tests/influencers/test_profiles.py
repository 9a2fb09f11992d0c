"""The stored style profile: what the profile rebuild records for the rankings to read."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from influencers.models import Influencer
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, classified_post


@pytest.mark.django_db
def test_the_profile_says_likes_are_known_when_any_post_shows_its_likes():
    partly = InfluencerFactory()
    classified_post(partly, "street", None)
    classified_post(partly, "street", 0)  # zero likes shown is a like count, not a hidden one
    assert influencer_style_profile_rebuild(influencer_id=partly.pk).likes_known is True


@pytest.mark.django_db
def test_the_profile_says_likes_are_unknown_when_every_post_hides_them():
    hidden = InfluencerFactory()
    classified_post(hidden, "street", None)
    classified_post(hidden, "punk", None)
    assert influencer_style_profile_rebuild(influencer_id=hidden.pk).likes_known is False


@pytest.mark.django_db
def test_the_profile_forgets_known_likes_once_the_last_visible_post_is_gone():
    influencer = InfluencerFactory()
    classified_post(influencer, "street", None)
    visible = classified_post(influencer, "street", 40)
    assert influencer_style_profile_rebuild(influencer_id=influencer.pk).likes_known is True
    visible.delete()
    assert influencer_style_profile_rebuild(influencer_id=influencer.pk).likes_known is False


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_likes_known_from_the_posts_already_stored():
    before = [("influencers", "0011_influencer_needs_curation")]
    after = [("influencers", "0012_influencer_likes_known")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldInfluencer = old.get_model("influencers", "Influencer")
    OldPost = old.get_model("influencers", "Post")
    shown = OldInfluencer.objects.create(handle="shows_likes", gender="F", body_size="M")
    hidden = OldInfluencer.objects.create(handle="hides_likes", gender="F", body_size="M")
    empty = OldInfluencer.objects.create(handle="no_posts", gender="F", body_size="M")
    OldPost.objects.create(influencer=shown, instagram_id="s1", likes=None)
    OldPost.objects.create(influencer=shown, instagram_id="s2", likes=7)
    OldPost.objects.create(influencer=hidden, instagram_id="h1", likes=None)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest schema
    known = dict(Influencer.objects.values_list("handle", "likes_known"))
    assert known == {shown.handle: True, hidden.handle: False, empty.handle: False}
