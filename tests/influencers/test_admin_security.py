"""Staff paths: imports need the model permission everywhere; admin uploads are validated."""

import io

import numpy as np
import pytest
from django import forms
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from rest_framework.test import APIClient

from influencers.constants import BIO_MAX_LENGTH, CAPTION_MAX_LENGTH
from influencers.models import ImportFormat, ImportJob, Influencer, Post
from tests.common.test_uploads import bomb_png
from tests.conftest import jpeg_bytes
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db


def staff_with(*codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def posts_csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("p.csv", b"user_name,post_id,text,timestamp,like,video\n")


# --- imports: the permission, on every path ------------------------------------------------------


def test_staff_without_the_import_permission_cannot_import_through_the_api():
    """Issue 16: the API checked only is_staff while the admin page refused."""
    api = APIClient()
    api.force_authenticate(staff_with("view_influencer", "change_influencer", "add_influencer"))
    response = api.post("/api/v1/imports/", {"posts_file": posts_csv()}, format="multipart")
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_staff_without_the_import_permission_cannot_read_an_import_report():
    job = ImportJob.objects.create(source_name="x.csv", format="crawl")
    api = APIClient()
    api.force_authenticate(staff_with("view_influencer"))
    assert api.get(f"/api/v1/imports/{job.pk}/").status_code == 403


def test_staff_without_the_import_permission_get_403_on_the_admin_import_pages(client):
    job = ImportJob.objects.create(source_name="x.csv", format="crawl")
    client.force_login(staff_with("view_influencer", "add_influencer"))
    assert client.get("/admin/influencers/influencer/import/").status_code == 403
    assert client.post("/admin/influencers/influencer/import/", {}).status_code == 403
    assert client.get(f"/admin/influencers/influencer/import/{job.pk}/").status_code == 403
    changelist = client.get("/admin/influencers/influencer/").content.decode()
    assert "/admin/influencers/influencer/import/" not in changelist


def test_staff_with_the_import_permission_import_through_api_and_admin(
    client, django_capture_on_commit_callbacks
):
    importer = staff_with("add_importjob", "view_influencer")
    api = APIClient()
    api.force_authenticate(importer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", {"posts_file": posts_csv()}, format="multipart")
    assert response.status_code == 202
    assert api.get(f"/api/v1/imports/{response.json()['id']}/").status_code == 200
    client.force_login(importer)
    assert client.get("/admin/influencers/influencer/import/").status_code == 200
    assert (
        "/admin/influencers/influencer/import/"
        in client.get("/admin/influencers/influencer/").content.decode()
    )


def test_a_non_staff_account_holding_the_permission_still_cannot_import():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_importjob"))
    api = APIClient()
    api.force_authenticate(user)
    assert (
        api.post("/api/v1/imports/", {"posts_file": posts_csv()}, format="multipart").status_code
        == 403
    )


# --- admin change-form uploads go through the one validator ---------------------------------------


def change_form_data(page) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    data = {}
    form = page.context["adminform"].form
    for bound in form:
        field, value = bound.field, bound.value()
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field.widget, forms.MultiWidget):
            for i, part in enumerate(field.widget.decompress(value) if value else []):
                if part is not None:
                    data[f"{bound.html_name}_{i}"] = part
        elif isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = value
    for inline in page.context["inline_admin_formsets"]:
        for bound in inline.formset.management_form:
            data[bound.html_name] = bound.value()
    return data


def photo_with_gps_and_a_tail() -> bytes:
    rng = np.random.default_rng(1)
    image = Image.fromarray((rng.random((90, 120, 3)) * 255).astype("uint8"))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 40.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue() + b"<html><script>alert(1)</script></html>"


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_an_admin_profile_image_is_reencoded_without_gps_or_appended_html(superuser_client):
    influencer = InfluencerFactory(handle="profiled")
    url = f"/admin/influencers/influencer/{influencer.pk}/change/"
    data = change_form_data(superuser_client.get(url))
    upload = SimpleUploadedFile("../../evil name.jpg", photo_with_gps_and_a_tail())
    response = superuser_client.post(url, {**data, "profile_image": upload})
    assert response.status_code == 302, response.context["adminform"].form.errors
    influencer.refresh_from_db()
    stored = default_storage.open(influencer.profile_image.name).read()
    assert b"<html>" not in stored and b"GPS" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(0x8825)
    assert "evil" not in influencer.profile_image.name
    assert influencer.profile_image.name.startswith("profiles/")


def test_a_replaced_profile_image_deletes_the_old_file(
    superuser_client, django_capture_on_commit_callbacks
):
    influencer = InfluencerFactory(handle="replaced")
    url = f"/admin/influencers/influencer/{influencer.pk}/change/"
    names = []
    for color in ((200, 0, 0), (0, 0, 200)):
        data = change_form_data(superuser_client.get(url))
        upload = SimpleUploadedFile("p.jpg", jpeg_bytes(color=color))
        with django_capture_on_commit_callbacks(execute=True):
            assert superuser_client.post(url, {**data, "profile_image": upload}).status_code == 302
        influencer.refresh_from_db()
        names.append(influencer.profile_image.name)
    assert not default_storage.exists(names[0])
    assert default_storage.exists(names[1])


def test_a_100_megapixel_png_is_refused_in_admin(superuser_client):
    influencer = InfluencerFactory(handle="bombed")
    url = f"/admin/influencers/influencer/{influencer.pk}/change/"
    data = change_form_data(superuser_client.get(url))
    upload = SimpleUploadedFile("big.png", bomb_png(10000, 10000))
    response = superuser_client.post(url, {**data, "profile_image": upload})
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("profile_image", "too_many_pixels")
    influencer.refresh_from_db()
    assert not influencer.profile_image


def test_the_word_cloud_cannot_be_uploaded_in_admin(superuser_client):
    influencer = InfluencerFactory()
    page = superuser_client.get(f"/admin/influencers/influencer/{influencer.pk}/change/")
    assert "wordcloud" not in page.context["adminform"].form.fields


def test_a_replaced_post_image_is_classified_again_and_the_old_file_deleted(
    superuser_client, django_capture_on_commit_callbacks, active_model
):
    influencer = InfluencerFactory()
    old = default_storage.save("posts/old.jpg", io.BytesIO(jpeg_bytes()))
    post = classified_post(influencer, "romantic", 100, image=old, model_version=None)
    old_embedding = bytes(post.embedding)
    url = f"/admin/influencers/post/{post.pk}/change/"
    data = change_form_data(superuser_client.get(url))
    upload = SimpleUploadedFile("new.jpg", photo_with_gps_and_a_tail())
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(url, {**data, "image": upload})
    assert response.status_code == 302, response.context["adminform"].form.errors
    post.refresh_from_db()
    # The old style was voided and the new image classified by the active model.
    assert post.classification_status == "done" and post.model_version == active_model
    assert post.classification_queued_at is not None and bytes(post.embedding) != old_embedding
    assert not default_storage.exists(old)
    stored = default_storage.open(post.image.name).read()
    assert b"<html>" not in stored
    assert post.image_sha256 and post.image.name != old


def test_editing_a_post_without_touching_its_image_keeps_its_style(superuser_client):
    post = classified_post(InfluencerFactory(), "romantic", 100, image="")
    url = f"/admin/influencers/post/{post.pk}/change/"
    data = change_form_data(superuser_client.get(url))
    assert superuser_client.post(url, {**data, "caption": "새 캡션"}).status_code == 302
    post.refresh_from_db()
    assert (post.caption, post.classification_status, post.predicted_style) == (
        "새 캡션",
        "done",
        "romantic",
    )


def test_admin_refuses_a_bio_past_its_limit(superuser_client):
    influencer = InfluencerFactory()
    url = f"/admin/influencers/influencer/{influencer.pk}/change/"
    data = change_form_data(superuser_client.get(url))
    response = superuser_client.post(url, {**data, "bio": "b" * (BIO_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("bio", "max_length")
    assert Influencer.objects.get(pk=influencer.pk).bio == ""


def test_the_post_caption_limit_holds_in_admin(superuser_client):
    post = Post.objects.create(influencer=InfluencerFactory(), instagram_id="cap1")
    url = f"/admin/influencers/post/{post.pk}/change/"
    data = change_form_data(superuser_client.get(url))
    response = superuser_client.post(url, {**data, "caption": "c" * (CAPTION_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("caption", "max_length")


def test_admin_refuses_a_handle_instagram_would_not_allow(superuser_client, client):
    """A slash in a handle once made every visitor's influencer list answer 500."""
    influencer = InfluencerFactory(handle="fine_handle")
    url = f"/admin/influencers/influencer/{influencer.pk}/change/"
    data = change_form_data(superuser_client.get(url))
    for bad in ("bad/handle", "<b>x</b>", "a" * 31, "with space"):
        response = superuser_client.post(url, {**data, "handle": bad})
        assert response.status_code == 200
        assert response.context["adminform"].form.has_error("handle", "invalid_handle"), bad
    assert Influencer.objects.get(pk=influencer.pk).handle == "fine_handle"
    assert client.get("/influencers/").status_code == 200


def test_import_pages_name_the_formats_and_a_missing_job_is_a_404(superuser_client):
    """One home for the formats (ImportFormat): admin offers their names, not raw codes."""
    html = superuser_client.get("/admin/influencers/influencer/import/").content.decode()
    with translation.override("ko"):
        for value, label in ImportFormat.choices:
            assert f'value="{value}"' in html and str(label) in html
            assert str(label) != value
    missing = superuser_client.get("/admin/influencers/influencer/import/999999/")
    assert missing.status_code == 404
    job = ImportJob.objects.create(source_name="posts.csv", format=ImportFormat.GRAPH)
    shown = superuser_client.get(f"/admin/influencers/importjob/{job.pk}/change/")
    with translation.override("ko"):
        assert str(ImportFormat.GRAPH.label) in shown.content.decode()
