"""Post images an export gives as links (Apify's displayUrl, the Graph API's media_url).

The import keeps each post's links (PostImageLink, cover first) and queues a bulk task once its
chunk commits; the task fetches them through common.safe_fetch (allowed CDN hosts, public
addresses, size and time limits, retries) and validates each with common.uploads, the one upload
validator. A post's images are stored only when all its links fetched and validated (an album is
never stored with an image missing); each link's state shows in admin: an expired link (403/410)
says to export again or attach the image.

An influencer's profile picture link (business discovery's profile_picture_url) goes through the
same fetcher and validator, into the influencer's profile image when it has none.
"""

import logging
from collections import defaultdict

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from common.jobs import deadline_passed_before, enqueue, enqueue_on_commit
from common.safe_fetch import FetchPolicy, FetchRefused, url_fetch
from common.uploads import ImageRejected, ValidatedImage, image_validate, sniff_format
from influencers.models import ImageLinkState, Influencer, Post, PostImage, PostImageLink
from influencers.services.derivatives import post_image_files_delete
from influencers.services.post_classification import post_classification_reset
from influencers.signals import posts_need_classification
from influencers.tasks import influencer_profile_image_fetch_task, post_image_links_fetch_task

log = logging.getLogger(__name__)
State = ImageLinkState
URL_MAX_LENGTH = PostImageLink._meta.get_field("url").max_length
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# Links worth fetching again when the same export is imported again.
_RETRIED = (State.PENDING, State.FAILED)


def post_image_links_replace(*, posts_urls) -> int:
    """Inside an import chunk's transaction: each post's links become `urls` (pending) unless
    they are the links it has; fetching is queued once the chunk commits. Returns the number of
    posts queued."""
    if not posts_urls:
        return 0
    current: dict[int, list[PostImageLink]] = defaultdict(list)
    for link in PostImageLink.objects.filter(post__in=[p for p, _ in posts_urls]):
        current[link.post_id].append(link)
    replaced, to_create, queued = [], [], []
    now = timezone.now()
    for post, urls in posts_urls:
        links = sorted(current.get(post.pk, []), key=lambda link: link.position)
        if [link.url for link in links] == list(urls):
            if any(link.state in _RETRIED for link in links):
                queued.append(post.pk)
            continue
        replaced.append(post.pk)
        for position, url in enumerate(urls, start=1):
            too_long = len(url) > URL_MAX_LENGTH
            to_create.append(
                PostImageLink(
                    post=post,
                    position=position,
                    url=url[:URL_MAX_LENGTH],
                    state=State.REFUSED if too_long else State.PENDING,
                    detail=f"longer than {URL_MAX_LENGTH:,} characters" if too_long else "",
                    queued_at=now,
                )
            )
        queued.append(post.pk)
    PostImageLink.objects.filter(post_id__in=replaced).delete()
    PostImageLink.objects.bulk_create(to_create, batch_size=1000)
    if queued:
        enqueue_on_commit(post_image_links_fetch_task, queued)
    return len(queued)


RECONCILE_BATCH = 2000  # posts per queued task, as an import chunk queues them


def post_image_links_reconcile(*, now=None) -> int:
    """Queue again the posts whose links still wait past the deadline (the broker was down when
    their chunk committed, or the worker died); returns the number of posts queued."""
    now = now or timezone.now()
    stale = PostImageLink.objects.filter(
        state=State.PENDING, queued_at__lt=deadline_passed_before("image_links", now=now)
    )
    post_ids = sorted(set(stale.values_list("post_id", flat=True)))
    PostImageLink.objects.filter(post_id__in=post_ids, state=State.PENDING).update(queued_at=now)
    for start in range(0, len(post_ids), RECONCILE_BATCH):
        enqueue(post_image_links_fetch_task, post_ids[start : start + RECONCILE_BATCH])
    return len(post_ids)


def post_image_links_fetch(*, post_ids, policy: FetchPolicy | None = None) -> dict:
    """Fetch the pending links of these posts; returns counts of posts by outcome."""
    counts = {"stored": 0, "not_stored": 0, "skipped": 0}
    for post_id in post_ids:
        counts[_post_links_fetch(post_id, policy)] += 1
    return counts


def _post_links_fetch(post_id: int, policy: FetchPolicy | None) -> str:
    links = list(PostImageLink.objects.filter(post_id=post_id).order_by("position"))
    post = Post.objects.filter(pk=post_id).only("pk", "image").first()
    if post is None or not links:
        return "skipped"
    if post.image:  # an image was attached meanwhile (by staff, or a delivery before this one)
        return "skipped"
    if any(link.state in (State.EXPIRED, State.REFUSED) for link in links):
        return "skipped"  # one of the album's images cannot come: nothing to fetch for it
    images: list[ValidatedImage] = []
    for link in links:
        link.attempts += 1
        try:
            fetched = url_fetch(link.url, policy=policy)
            extension = _EXTENSIONS.get(sniff_format(fetched.content[:16]) or "", ".jpg")
            images.append(image_validate(data=fetched.content, filename=f"link{extension}"))
        except FetchRefused as exc:
            link.state = _state_after(exc)
            link.detail = exc.message[:255]
        except ImageRejected as exc:
            link.state, link.detail = State.REFUSED, f"{exc.code}: {exc.message_id}"[:255]
        else:
            continue
        PostImageLink.objects.filter(pk=link.pk).update(
            state=link.state, detail=link.detail, attempts=link.attempts
        )
        return "not_stored"
    return "stored" if _post_images_store(post_id, links, images) else "skipped"


def _state_after(exc: FetchRefused) -> str:
    if exc.code == "link_expired":
        return State.EXPIRED
    return State.FAILED if exc.transient else State.REFUSED


def _post_images_store(post_id: int, links, images: list[ValidatedImage]) -> bool:
    """Store the post's images (cover, then the album's others) in one transaction; the files go
    again if it rolls back. False when the post got an image meanwhile."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            post = Post.objects.select_for_update().filter(pk=post_id).first()
            if post is None or post.image:
                return False
            for image in images:
                file = image.as_file()
                stored.append(default_storage.save(f"posts/{file.name}", file))
            post.image.name, post.image_sha256 = stored[0], images[0].sha256
            post.extra_image_count = len(images) - 1
            post_classification_reset(post)
            post.save()
            PostImage.objects.filter(post=post).delete()
            PostImage.objects.bulk_create(
                PostImage(post=post, position=n, image=name, image_sha256=image.sha256)
                for n, (name, image) in enumerate(zip(stored[1:], images[1:], strict=True), 2)
            )
            now = timezone.now()
            for link in links:
                PostImageLink.objects.filter(pk=link.pk).update(
                    state=State.FETCHED, detail="", attempts=link.attempts, fetched_at=now
                )
            posts_need_classification.send(sender=Post, post_ids=[post.pk])
    except BaseException:
        post_image_files_delete(names=stored)
        raise
    return True


def influencer_profile_image_queue(*, influencer: Influencer, url) -> bool:
    """Inside a refresh's transaction: queue the fetch of the profile picture link the account
    gave, once it commits, when the influencer has no profile image (one staff set, or one fetched
    before, is kept: nothing records which link an image came from). True when queued."""
    if influencer.profile_image or not isinstance(url, str):
        return False
    if not url.startswith("https://") or len(url) > URL_MAX_LENGTH:  # the Graph API's are https
        return False
    enqueue_on_commit(influencer_profile_image_fetch_task, influencer.pk, url)
    return True


def influencer_profile_image_fetch(
    *, influencer_id: int, url: str, policy: FetchPolicy | None = None
) -> str:
    """Fetch a profile picture link (common.safe_fetch), validate it as an upload and store it as
    the influencer's profile image unless it got one meanwhile. Returns the outcome: `stored`,
    `skipped`, or the link state a post's link would have (`expired`, `refused`, `failed`), which
    is logged: the next refresh tries again."""
    if not Influencer.objects.filter(pk=influencer_id, profile_image="").exists():
        return "skipped"
    try:
        fetched = url_fetch(url, policy=policy)
        image = image_validate(data=fetched.content, filename="profile.jpg")
    except FetchRefused as exc:
        log.warning("profile picture of influencer %s not fetched: %s", influencer_id, exc.message)
        return _state_after(exc)
    except ImageRejected as exc:
        log.warning("profile picture of influencer %s refused: %s", influencer_id, exc.code)
        return State.REFUSED
    file = image.as_file()
    name = default_storage.save(f"profiles/{file.name}", file)
    try:
        with transaction.atomic():
            stored = Influencer.objects.filter(pk=influencer_id, profile_image="").update(
                profile_image=name, updated_at=timezone.now()
            )
    except BaseException:
        default_storage.delete(name)
        raise
    if not stored:  # staff set one while it was fetched
        default_storage.delete(name)
        return "skipped"
    return "stored"
