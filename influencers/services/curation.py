"""Curation actions shared by admin and the API."""

from django.db import transaction

from influencers.models import ClassificationStatus, Influencer, Post
from influencers.services.profiles import influencer_style_profile_rebuild
from influencers.services.summaries import influencer_summaries_schedule
from influencers.signals import posts_need_classification


def influencers_set_active(*, influencer_ids, active: bool) -> int:
    return Influencer.objects.filter(pk__in=influencer_ids).update(is_active=active)


def influencers_reclassify(*, influencer_ids) -> int:
    """Mark the influencers' posts with images pending and have them classified again."""
    with transaction.atomic():
        posts = Post.objects.filter(influencer_id__in=influencer_ids).exclude(image="")
        ids = list(posts.values_list("pk", flat=True))
        posts_mark_for_classification(post_ids=ids)
    return len(ids)


def posts_mark_for_classification(*, post_ids) -> None:
    """Inside a transaction: these posts' images changed; classify them once it commits."""
    Post.objects.filter(pk__in=post_ids).update(
        classification_status=ClassificationStatus.PENDING, classification_claimed_at=None
    )
    posts_need_classification.send(sender=Post, post_ids=list(post_ids))


def influencers_summaries_rebuild(*, influencer_ids) -> int:
    with transaction.atomic():
        return influencer_summaries_schedule(influencer_ids=influencer_ids)


def post_saved_by_staff(*, post: Post, image_changed: bool) -> None:
    """After a staff edit of one post: its account's profile and summary follow, and a new image
    is classified again."""
    with transaction.atomic():
        if image_changed and post.image:
            posts_mark_for_classification(post_ids=[post.pk])
        influencer_style_profile_rebuild(influencer_id=post.influencer_id)
        influencer_summaries_schedule(influencer_ids=[post.influencer_id])
