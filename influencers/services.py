"""Curation actions shared by admin and the API."""

from django.db import transaction

from influencers.models import Influencer, Post
from influencers.summaries import influencer_summaries_schedule


def influencers_set_active(*, influencer_ids, active: bool) -> int:
    return Influencer.objects.filter(pk__in=influencer_ids).update(is_active=active)


def influencers_reclassify(*, influencer_ids) -> int:
    from recommender.classification import posts_classification_queue

    with transaction.atomic():
        posts = Post.objects.filter(influencer_id__in=influencer_ids).exclude(image="")
        posts.update(classification_status="pending", classification_claimed_at=None)
        ids = list(posts.values_list("pk", flat=True))
        posts_classification_queue(post_ids=ids)
    return len(ids)


def influencers_summaries_rebuild(*, influencer_ids) -> int:
    with transaction.atomic():
        return influencer_summaries_schedule(influencer_ids=influencer_ids)
