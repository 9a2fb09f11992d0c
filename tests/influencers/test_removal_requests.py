"""Removal requests: an Instagram account holder asks on a public page (CSRF, rate limit, clear
errors); staff approve in admin; the influencer, posts, images and derivatives go; the handle is
suppressed, and every later import skips it with a reported reason."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from influencers.models import Influencer, Post, PostImage, RemovalRequest, SuppressedHandle
from influencers.services.derivatives import derivative_name
from influencers.suppression import handle_is_suppressed
from tests.conftest import jpeg_bytes, media_files
from tests.factories import InfluencerFactory, UserFactory, classified_post
from tests.influencers.test_imports import run

pytestmark = pytest.mark.django_db
ASK = {"handle": "@Alpha", "contact_email": "alpha@example.com", "reason": "제 계정입니다."}


def stored(name: str) -> str:
    return default_storage.save(name, ContentFile(jpeg_bytes()))


def influencer_with_files(handle: str) -> tuple[Influencer, list[str]]:
    influencer = InfluencerFactory(
        handle=handle,
        profile_image=stored(f"profiles/{handle}.jpg"),
        wordcloud=stored(f"wordclouds/{handle}.png"),
    )
    cover = stored(f"posts/{handle}_1.jpg")
    post = classified_post(influencer, "romantic", 50, image=cover, instagram_id=f"{handle}_1")
    extra = stored(f"posts/{handle}_2.jpg")
    PostImage.objects.create(post=post, position=2, image=extra)
    derivatives = [stored(derivative_name(cover)), stored(derivative_name(extra))]
    names = [influencer.profile_image.name, influencer.wordcloud.name, cover, extra, *derivatives]
    return influencer, names


def staff_client(*codenames: str, superuser=False) -> Client:
    user = UserFactory(is_staff=True, is_superuser=superuser)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def approve(client: Client, request: RemovalRequest):
    return client.post(
        "/admin/influencers/removalrequest/",
        {"action": "approve", "_selected_action": [request.pk]},
    )


def test_an_account_holder_asks_without_an_account_and_staff_see_it_waiting():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/removal-request/")
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value

    response = client.post("/removal-request/", {**ASK, "csrfmiddlewaretoken": token})

    assert response.status_code == 200
    request = RemovalRequest.objects.get()
    assert (request.handle, request.status) == ("Alpha", RemovalRequest.Status.PENDING)
    queue = staff_client("view_removalrequest").get("/admin/influencers/removalrequest/")
    assert queue.status_code == 200 and "alpha@example.com" in queue.content.decode()


def test_a_request_without_a_csrf_token_is_refused():
    response = Client(enforce_csrf_checks=True).post("/removal-request/", ASK)
    assert response.status_code == 403 and not RemovalRequest.objects.exists()


@pytest.mark.parametrize(
    "field,value",
    [
        ("handle", "a/b"),
        ("handle", "x" * 65),
        ("contact_email", "not-an-address"),
        ("reason", ""),
        ("reason", "가" * 2001),
    ],
)
def test_a_wrong_field_is_a_clear_error_and_stores_nothing(client, field, value):
    response = client.post("/removal-request/", {**ASK, field: value})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not RemovalRequest.objects.exists()


def test_requests_from_one_address_are_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "removal_request": "2/hour"}
    for _ in range(2):
        assert client.post("/removal-request/", ASK).status_code == 200
    refused = client.post("/removal-request/", ASK)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert RemovalRequest.objects.count() == 2


def test_approval_deletes_the_influencer_posts_images_and_derivatives_and_suppresses_the_handle(
    settings, django_capture_on_commit_callbacks
):
    alpha, files = influencer_with_files("alpha")
    beta, kept = influencer_with_files("beta")
    request = RemovalRequest.objects.create(**{**ASK, "handle": "ALPHA"})
    assert all(default_storage.exists(name) for name in files + kept)
    staff = staff_client("change_removalrequest", "view_removalrequest")

    with django_capture_on_commit_callbacks(execute=True):
        assert approve(staff, request).status_code == 302

    assert not Influencer.objects.filter(pk=alpha.pk).exists()
    assert not Post.objects.filter(influencer_id=alpha.pk).exists()
    assert not PostImage.objects.filter(post__influencer_id=alpha.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    left = {str(p.relative_to(settings.MEDIA_ROOT)) for p in media_files(settings.MEDIA_ROOT)}
    assert left == set(kept)
    assert Influencer.objects.filter(pk=beta.pk).exists()
    request.refresh_from_db()
    assert request.status == RemovalRequest.Status.APPROVED and request.decided_by
    assert handle_is_suppressed(handle="alpha") and handle_is_suppressed(handle="Alpha")
    assert not handle_is_suppressed(handle="beta")


def test_staff_without_the_change_permission_cannot_approve():
    InfluencerFactory(handle="alpha")
    request = RemovalRequest.objects.create(**{**ASK, "handle": "Alpha"})
    response = approve(staff_client("view_removalrequest"), request)
    assert response.status_code in (200, 403)
    assert Influencer.objects.filter(handle="alpha").exists()
    assert not SuppressedHandle.objects.exists()
    request.refresh_from_db()
    assert request.status == RemovalRequest.Status.PENDING


def test_a_suppressed_handle_is_skipped_by_every_later_import_with_its_reason(
    django_capture_on_commit_callbacks,
):
    run()  # alpha and beta from the import tests' files
    request = RemovalRequest.objects.create(**{**ASK, "handle": "Alpha"})
    with django_capture_on_commit_callbacks(execute=True):
        approve(staff_client("change_removalrequest", "view_removalrequest"), request)
    assert not Influencer.objects.filter(handle="alpha").exists()

    report = run()

    assert not Influencer.objects.filter(handle__iexact="alpha").exists()
    assert not Post.objects.filter(instagram_id__in=["a1", "a2", "a3"]).exists()
    assert Post.objects.filter(instagram_id="b1").exists()
    skipped = {(s["file"], s["handle"], s["reason"]) for s in report.suppressed}
    assert skipped == {
        ("influencers", "alpha", "removal_requested"),
        ("posts", "alpha", "removal_requested"),
    }
    assert len(report.suppressed) == 4  # its influencer row and its three posts
    assert report.errors == []  # skipped with a reason, not reported as unknown accounts


def test_the_import_command_names_the_rows_it_skipped_for_a_removed_account(tmp_path):
    SuppressedHandle.objects.create(handle="alpha")
    posts = tmp_path / "posts.csv"
    posts.write_text("user_name,post_id,text,timestamp,like,video\nalpha,a1,x,2024-01-01,1,0\n")
    err = io.StringIO()

    call_command("import_posts", str(posts), stdout=io.StringIO(), stderr=err)

    assert "posts row 2: @alpha skipped (removal_requested" in err.getvalue()
    assert not Post.objects.exists()


def test_a_removed_handle_is_never_tracked_again_for_live_refresh():
    from common.errors import ApplicationError
    from influencers.services.graph_refresh import influencers_track

    SuppressedHandle.objects.create(handle="Gone_For_Good")
    with pytest.raises(ApplicationError) as refused:
        influencers_track(handles=["still_here", "gone_for_good"])
    assert refused.value.code == "removal_requested"
    assert "gone_for_good" in refused.value.message
    # Nothing of the batch was written: the staff member drops the handle and tries again.
    assert not Influencer.objects.filter(handle__in=["still_here", "gone_for_good"]).exists()
