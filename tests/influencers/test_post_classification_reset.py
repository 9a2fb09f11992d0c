"""The one rule for forgetting a post's style result, used by staff edits, imports and
classification alike."""

import pytest

from influencers.models import ClassificationStatus, Post
from influencers.services.curation import post_saved_by_staff
from influencers.services.post_classification import post_classification_reset
from tests.factories import InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db


def test_a_post_with_an_image_waits_again_and_keeps_nothing_of_its_old_result(active_model):
    post = classified_post(InfluencerFactory(), "romantic", 10, model_version=active_model)
    post_classification_reset(post)
    assert post.classification_status == ClassificationStatus.PENDING
    assert (post.predicted_style, post.embedding, post.model_version) == ("", None, None)


def test_a_reason_makes_it_unclassifiable_and_no_image_is_never_waiting(db):
    post = classified_post(InfluencerFactory(), "romantic", 10)
    post_classification_reset(post, unclassifiable_reason="corrupt image: truncated")
    assert post.classification_status == ClassificationStatus.UNCLASSIFIABLE
    assert post.unclassifiable_reason == "corrupt image: truncated"
    post.image = ""
    post_classification_reset(post)
    assert (post.classification_status, post.predicted_style, post.unclassifiable_reason) == (
        ClassificationStatus.UNCLASSIFIABLE,
        "no_image",
        "no image",
    )


def test_staff_removing_a_post_image_leaves_it_no_image_not_waiting_for_ever(db):
    post = classified_post(InfluencerFactory(), "romantic", 10, image="posts/old.jpg")
    post.image = ""
    post_saved_by_staff(post=post, previous_image="posts/old.jpg")
    post = Post.objects.get(pk=post.pk)
    assert post.classification_status == ClassificationStatus.UNCLASSIFIABLE
    assert post.predicted_style == "no_image" and post.embedding is None
