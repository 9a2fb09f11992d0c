"""Curation actions shared by admin and the API."""

import hashlib

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from influencers.constants import POST_IMAGES_MAX
from influencers.models import ClassificationStatus, Influencer, Post, PostImage
from influencers.services.derivatives import post_image_files_delete_on_commit
from influencers.services.post_classification import post_classification_reset
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


def post_saved_by_staff(*, post: Post, previous_image: str | None = None) -> Post:
    """Save a staff edit of one post; its account's profile and summary follow.

    `previous_image` is the stored name the post had when staff replaced (or removed) its image:
    the new file has already been through common.uploads (ValidatedImageField), the old style is
    void and the post is classified again, and the old file goes once the edit commits.
    """
    with transaction.atomic():
        if previous_image is not None:
            _post_classification_void(post)
        post.save()
        if previous_image is not None:
            if previous_image and previous_image != post.image.name:
                post_image_files_delete_on_commit(names=[previous_image])
            if post.image:
                posts_mark_for_classification(post_ids=[post.pk])
        influencer_style_profile_rebuild(influencer_id=post.influencer_id)
        influencer_summaries_schedule(influencer_ids=[post.influencer_id])
    return post


def _post_classification_void(post: Post) -> None:
    post_classification_reset(post)
    if post.image and not post.image._committed:
        post.image_sha256 = hashlib.sha256(post.image.file.read()).hexdigest()
        post.image.file.seek(0)
    elif not post.image:
        post.image_sha256 = ""


def influencer_profile_image_replace(*, influencer: Influencer, previous_name: str) -> Influencer:
    """Save an influencer whose profile image changed; the old file goes once the row is saved."""
    with transaction.atomic():
        influencer.save()
        if previous_name != influencer.profile_image.name:
            _file_delete_on_commit(previous_name)
    return influencer


def _file_delete_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name), robust=True)


def post_image_deleted(sender, *, instance: Post | PostImage, **kwargs) -> None:
    """Receiver of post_delete for Post and PostImage (connected in apps.py): a post's image files
    (and their derivatives) go with its row, however the row goes (the post or its influencer
    deleted, an import replacing a carousel image)."""
    post_image_files_delete_on_commit(names=[instance.image.name])


def post_images_saved_by_staff(*, post: Post, saved, deleted, previous_images) -> Post:
    """Save staff's edit of a post's extra images (admin inline): the new files have been through
    common.uploads; the replaced and deleted files go once the edit commits; the post's style is
    void and it is classified again with all its images. More images than a post holds (the
    cover and POST_IMAGES_MAX - 1 more) is refused before anything is written."""
    kept = post.extra_images.exclude(pk__in=[image.pk for image in deleted]).count()
    count = 1 + kept + sum(1 for image in saved if image.pk is None)
    if count > POST_IMAGES_MAX:
        raise ApplicationError(
            _(
                "A post holds at most %(limit)d images (the cover and %(extra)d more); "
                "this edit would give it %(count)d."
            )
            % {"limit": POST_IMAGES_MAX, "extra": POST_IMAGES_MAX - 1, "count": count},
            code="too_many_images",
        )
    with transaction.atomic():
        for image in deleted:
            image.delete()
        for image in saved:
            if not image.image._committed:
                image.image_sha256 = hashlib.sha256(image.image.file.read()).hexdigest()
                image.image.file.seek(0)
            image.save()
        kept = {image.image.name for image in post.extra_images.all()}
        post_image_files_delete_on_commit(names=[n for n in previous_images if n not in kept])
        post.extra_image_count = post.extra_images.count()
        _post_classification_void(post)
        post.save()
        if post.image:
            posts_mark_for_classification(post_ids=[post.pk])
        influencer_style_profile_rebuild(influencer_id=post.influencer_id)
    return post
