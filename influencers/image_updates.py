"""Images staff replace in admin: the old file goes, a replaced post image voids its style.

The new file has already been through common.uploads (ValidatedImageField): re-encoded, metadata
stripped, stored under a generated name.
"""

import hashlib

from django.core.files.storage import default_storage
from django.db import transaction

from influencers.models import ClassificationStatus, Influencer, Post
from influencers.signals import post_images_replaced


def _file_delete_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def post_image_replace(*, post: Post, previous_name: str) -> Post:
    """Save a post whose image changed: its classification is forgotten and it waits for a new one."""
    post.classification_status = ClassificationStatus.PENDING
    post.predicted_style = ""
    post.style_confidence = None
    post.style_probabilities = None
    post.embedding = None
    post.model_version = None
    post.classified_at = None
    post.unclassifiable_reason = ""
    post.classification_claimed_at = None
    if post.image and not post.image._committed:
        post.image_sha256 = hashlib.sha256(post.image.file.read()).hexdigest()
        post.image.file.seek(0)
    elif not post.image:
        post.image_sha256 = ""
    with transaction.atomic():
        post.save()
        if previous_name != post.image.name:
            _file_delete_on_commit(previous_name)
        post_id = post.pk
        transaction.on_commit(lambda: post_images_replaced.send(sender=Post, post_ids=[post_id]))
    return post


def influencer_profile_image_replace(*, influencer: Influencer, previous_name: str) -> Influencer:
    """Save an influencer whose profile image changed; the old file goes once the row is saved."""
    with transaction.atomic():
        influencer.save()
        if previous_name != influencer.profile_image.name:
            _file_delete_on_commit(previous_name)
    return influencer
