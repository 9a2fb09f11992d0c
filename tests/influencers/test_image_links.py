"""Image links an export gives (Apify, Graph API), fetched by the bulk task from a fake CDN on the
loopback: the allow-list is widened to 127.0.0.1 and the loopback check relaxed for these tests
only (settings the tests override)."""

import json

import pytest
from django.utils import translation

from influencers.models import ImageLinkState, Post, PostImageLink
from influencers.services.image_links import post_image_links_fetch
from influencers.services.imports import posts_import
from tests.conftest import media_files
from tests.factories import UserFactory
from tests.fake_cdn import FakeCdn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in English leaves English active in this thread: later tests expect the default."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def cdn(settings):
    server = FakeCdn().start()
    settings.SAFE_FETCH_ALLOWED_HOSTS = ["127.0.0.1", "10.0.0.7", "169.254.169.254"]
    settings.SAFE_FETCH_ALLOW_LOOPBACK = True
    settings.SAFE_FETCH_TIMEOUT_S = 1.0
    settings.SAFE_FETCH_BACKOFF_S = 0.01
    settings.SAFE_FETCH_MAX_BYTES = 512 * 1024
    yield server
    server.stop()


def apify_items(cdn: FakeCdn, posts: dict[str, list[str]]) -> bytes:
    """An Apify export whose posts' images are the fake CDN's paths."""
    items = []
    for code, paths in posts.items():
        item = {
            "ownerUsername": "example_look",
            "shortCode": code,
            "caption": f"post {code}",
            "likesCount": 10,
            "timestamp": "2024-03-01T03:00:00.000Z",
            "type": "Sidecar" if len(paths) > 1 else "Image",
            "displayUrl": cdn.url(paths[0]),
        }
        if len(paths) > 1:
            item["childPosts"] = [{"type": "Image", "displayUrl": cdn.url(p)} for p in paths]
        items.append(item)
    return json.dumps(items).encode()


def imported(cdn, posts, django_capture_on_commit_callbacks):
    """Import the export and run the fetch task it queues once the chunk commits."""
    with django_capture_on_commit_callbacks(execute=True):
        report = posts_import(posts_data=apify_items(cdn, posts), posts_name="dataset.json")
    return report


def states(code: str) -> list[tuple[str, str]]:
    return [
        (link.state, link.detail)
        for link in PostImageLink.objects.filter(post__instagram_id=code).order_by("position")
    ]


def test_an_albums_links_are_fetched_validated_and_stored_cover_first(
    cdn, django_capture_on_commit_callbacks
):
    posts = {"LinkAlb": ["/img/a.jpg?oh=1", "/img/b.jpg?oh=2", "/img/c.jpg?oh=3"]}
    report = imported(cdn, posts, django_capture_on_commit_callbacks)
    assert report.image_links_queued == 1
    post = Post.objects.get()
    assert post.image and post.extra_image_count == 2
    assert [e.position for e in post.extra_images.all()] == [2, 3]
    assert [s for s, _ in states("LinkAlb")] == [ImageLinkState.FETCHED] * 3
    assert post.classification_status == "pending"
    assert cdn.hits["/img/a.jpg"] == 1


def test_an_expired_link_is_marked_to_export_again_or_attach_the_image(
    cdn, django_capture_on_commit_callbacks
):
    imported(
        cdn,
        {"Expired1": ["/expired.jpg"], "Gone2": ["/gone.jpg"]},
        django_capture_on_commit_callbacks,
    )
    assert states("Expired1") == [(ImageLinkState.EXPIRED, "the link has expired (HTTP 403)")]
    assert states("Gone2")[0][0] == ImageLinkState.EXPIRED
    with translation.override("en"):
        assert str(ImageLinkState.EXPIRED.label) == "link expired: export again or attach the image"
    assert not Post.objects.filter(image="").exclude(image_links__state="expired").exists()
    assert cdn.hits["/expired.jpg"] == 1  # never retried


def test_an_album_with_one_expired_link_stores_none_of_its_images(
    cdn, django_capture_on_commit_callbacks
):
    imported(cdn, {"Half": ["/img/a.jpg", "/expired.jpg"]}, django_capture_on_commit_callbacks)
    assert not Post.objects.get().image
    assert media_files(cdn_media()) == []
    assert [s for s, _ in states("Half")] == [ImageLinkState.PENDING, ImageLinkState.EXPIRED]


def cdn_media():
    from django.conf import settings

    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    "path,state,detail",
    [
        ("/to-private.jpg", ImageLinkState.REFUSED, "resolves to an address that is not public"),
        ("/to-metadata.jpg", ImageLinkState.REFUSED, "169.254.169.254"),
        ("/to-elsewhere.jpg", ImageLinkState.REFUSED, "example.org is not on the allow-list"),
        ("/big.jpg", ImageLinkState.REFUSED, "larger than"),
        ("/page.jpg", ImageLinkState.REFUSED, "not_an_image"),
        ("/slow.jpg", ImageLinkState.FAILED, "timed out"),
        ("/down.jpg", ImageLinkState.FAILED, "HTTP 502"),
    ],
)
def test_a_link_that_cannot_give_an_image_leaves_a_clear_state_and_no_file(
    cdn, django_capture_on_commit_callbacks, settings, path, state, detail
):
    settings.SAFE_FETCH_RETRIES = 1
    cdn.oversize = 8 * 1024 * 1024
    imported(cdn, {"Bad1": [path], "Good2": ["/img/ok.jpg"]}, django_capture_on_commit_callbacks)
    [(found, text)] = states("Bad1")
    assert found == state and detail in text
    assert not Post.objects.get(instagram_id="Bad1").image
    assert Post.objects.get(instagram_id="Good2").image  # the other post is not held back
    assert len(media_files(settings.MEDIA_ROOT)) == 1


def test_importing_again_retries_failed_links_and_fresh_links_replace_expired_ones(
    cdn, django_capture_on_commit_callbacks, settings
):
    settings.SAFE_FETCH_RETRIES = 0
    cdn.failures_before_success = 1
    imported(cdn, {"Retry1": ["/flaky.jpg"]}, django_capture_on_commit_callbacks)
    assert states("Retry1")[0][0] == ImageLinkState.FAILED
    imported(cdn, {"Retry1": ["/flaky.jpg"]}, django_capture_on_commit_callbacks)
    assert states("Retry1")[0][0] == ImageLinkState.FETCHED and Post.objects.get().image
    # an expired post gets the new export's links
    imported(cdn, {"Fresh2": ["/expired.jpg"]}, django_capture_on_commit_callbacks)
    imported(cdn, {"Fresh2": ["/img/new.jpg?oh=new"]}, django_capture_on_commit_callbacks)
    assert states("Fresh2") == [(ImageLinkState.FETCHED, "")]


def test_a_post_with_its_image_stored_is_never_fetched_again(
    cdn, django_capture_on_commit_callbacks
):
    imported(cdn, {"Once1": ["/img/once.jpg"]}, django_capture_on_commit_callbacks)
    post = Post.objects.get()
    assert post_image_links_fetch(post_ids=[post.pk]) == {
        "stored": 0,
        "not_stored": 0,
        "skipped": 1,
    }
    imported(cdn, {"Once1": ["/img/once.jpg?oh=later"]}, django_capture_on_commit_callbacks)
    assert cdn.hits["/img/once.jpg"] == 1


def test_links_off_the_default_allow_list_are_refused_without_a_request(
    cdn, django_capture_on_commit_callbacks, settings
):
    settings.SAFE_FETCH_ALLOWED_HOSTS = ["*.cdninstagram.com", "*.fbcdn.net"]
    imported(cdn, {"Off1": ["/img/a.jpg"]}, django_capture_on_commit_callbacks)
    assert states("Off1")[0][0] == ImageLinkState.REFUSED
    assert cdn.hits["/img/a.jpg"] == 0


def test_admin_shows_each_links_state_and_filters_posts_by_it(
    cdn, client, django_capture_on_commit_callbacks
):
    imported(
        cdn,
        {"Expired1": ["/expired.jpg"], "Fine2": ["/img/x.jpg"]},
        django_capture_on_commit_callbacks,
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    listed = client.get("/admin/influencers/post/?image_link=expired").content.decode()
    assert "Expired1" in listed and "Fine2" not in listed
    post = Post.objects.get(instagram_id="Expired1")
    page = client.get(f"/admin/influencers/post/{post.pk}/change/").content.decode()
    assert "link expired: export again or attach the image" in page


def test_links_left_waiting_past_the_deadline_are_queued_again_by_the_reconciler(cdn):
    import datetime as dt

    from django.utils import timezone

    from influencers.services.image_links import post_image_links_reconcile

    # imported while the broker was down: the chunk's commit queued nothing
    posts_import(posts_data=apify_items(cdn, {"Late1": ["/img/late.jpg"]}), posts_name="d.json")
    assert states("Late1")[0][0] == ImageLinkState.PENDING
    assert post_image_links_reconcile() == 0  # not yet past the deadline
    PostImageLink.objects.update(queued_at=timezone.now() - dt.timedelta(hours=2))
    assert post_image_links_reconcile() == 1  # queued (run at once by the eager test worker)
    assert states("Late1")[0][0] == ImageLinkState.FETCHED and Post.objects.get().image
