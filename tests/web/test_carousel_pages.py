"""Carousel posts on the pages: the cover with a "+N" badge (read aloud as "사진 N+1장") in feeds
and evidence, every image on the post page and in the viewer, extra images inline in admin."""

import re
import shutil

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from influencers.models import Post
from influencers.services.imports import posts_import
from recommender.services import requests as recommendation_services
from tests.conftest import jpeg_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CRAWL = (
    "user_name,post_id,text,timestamp,like,video\n"
    "alpha,1,네 장 #데일리룩,2024-03-01 12:00:00,120,false\n"
    "alpha,2,한 장,2024-03-02 12:00:00,80,false\n"
)


@pytest.fixture
def carousel(shared_data, tmp_path, active_model, django_capture_on_commit_callbacks):
    """Post 1 with four real photos (cover + 3), post 2 with one; both classified."""
    root = shared_data / "clothing-cc0"
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    photos = [sorted((root / k).glob("*.jpg"))[0] for k in ("dress", "skirt", "shoes", "hat")]
    folder = tmp_path / "images"
    folder.mkdir()
    for name, photo in zip(("1", "1_2", "1_3", "1_4"), photos, strict=True):
        shutil.copy(photo, folder / f"{name}.jpg")
    shutil.copy(photos[0], folder / "2.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        report = posts_import(
            posts_data=CRAWL.encode(),
            posts_name="posts.csv",
            influencers_data=b"user_name,gender,size\nalpha,F,M\n",
            images=folder,
        )
    assert report.errors == []
    return Post.objects.get(instagram_id="1")


BADGE = re.compile(
    r'<span class="image-count"><span aria-hidden="true">\+(\d+)</span>'
    r'<span class="visually-hidden">([^<]*)</span></span>'
)


def test_the_feed_shows_the_cover_with_a_count_badge_only_on_the_carousel(client, carousel):
    html = client.get("/influencers/alpha/").content.decode()
    assert BADGE.findall(html) == [("3", "사진 4장")]
    # One image per post in the feed: the cover.
    assert html.count(carousel.image.name) == 1
    assert carousel.extra_images.first().image.name not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/influencers/alpha/").content.decode()
    assert BADGE.findall(english) == [("3", "4 photos")]


def test_the_post_page_and_viewer_show_every_image_in_order(client, carousel):
    names = [carousel.image.name] + [e.image.name for e in carousel.extra_images.all()]
    url = f"/influencers/alpha/posts/{carousel.pk}/"
    for response in (client.get(url), client.get(url, headers={"x-requested-with": "fetch"})):
        html = response.content.decode()
        found = re.findall(r'<img class="post-image" src="[^"]*?(posts/[0-9a-f]+\.jpg)"', html)
        assert found == names
        assert "(사진 4장 중 2번째)" in html
        assert 'class="post-images carousel"' in html
    single = Post.objects.get(instagram_id="2")
    html = client.get(f"/influencers/alpha/posts/{single.pk}/").content.decode()
    assert html.count('class="post-image"') == 1 and "carousel" not in html


def test_evidence_cards_show_the_cover_with_the_count_badge(
    client, carousel, django_capture_on_commit_callbacks
):
    consumer = UserFactory(gender="F", body_size="M")
    photo = default_storage.open(carousel.image.name).read()
    with django_capture_on_commit_callbacks(execute=True):
        request = recommendation_services.recommendation_create(
            user=consumer, image=SimpleUploadedFile("look.jpg", photo, "image/jpeg")
        )
    request.refresh_from_db()
    assert request.status == "done", request.failure_reason
    (card,) = request.shown_results["cards"]
    evidence = {e["post_id"]: e for e in card["evidence"]}
    assert evidence[carousel.pk]["extra_images"] == 3
    client.force_login(consumer)
    html = client.get(f"/recommendations/{request.pk}/").content.decode()
    assert ("3", "사진 4장") in BADGE.findall(html)
    assert len(BADGE.findall(html)) == 1  # the single-image post has none


def test_admin_shows_extra_images_inline_and_validates_a_new_one(client, carousel):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/influencers/post/{carousel.pk}/change/"
    page = client.get(url)
    html = page.content.decode()
    for extra in carousel.extra_images.all():
        assert extra.image.name in html  # its thumbnail
    formset = page.context["inline_admin_formsets"][0].formset
    data = _change_form_data(page)
    prefix = formset.prefix
    data[f"{prefix}-TOTAL_FORMS"] = str(formset.total_form_count() + 1)
    new = f"{prefix}-{formset.total_form_count()}"
    data[f"{new}-position"] = "5"
    data[f"{new}-post"] = str(carousel.pk)
    bad = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>")
    response = client.post(url, {**data, f"{new}-image": bad})
    assert response.status_code == 200
    assert any(f.errors for f in response.context["inline_admin_formsets"][0].formset.forms)
    assert carousel.extra_images.count() == 3

    # Position 1 is the cover (the post's own image), 2 is taken: both are form errors.
    for taken in ("1", "2"):
        image = SimpleUploadedFile("x.jpg", jpeg_bytes(size=(90, 120)))
        response = client.post(url, {**data, f"{new}-position": taken, f"{new}-image": image})
        assert response.status_code == 200, taken
    assert carousel.extra_images.count() == 3

    good = SimpleUploadedFile("x.jpg", jpeg_bytes(size=(90, 120)))
    response = client.post(url, {**data, f"{new}-image": good})
    assert response.status_code == 302
    carousel.refresh_from_db()
    assert carousel.extra_image_count == 4
    assert carousel.classification_status in ("pending", "done")
    assert carousel.extra_images.get(position=5).image.name.startswith("posts/")


def _change_form_data(page) -> dict:
    from tests.influencers.test_admin_security import change_form_data

    data = change_form_data(page)
    for admin_formset in page.context["inline_admin_formsets"]:
        formset = admin_formset.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            for name in ("id", "post", "position"):
                value = form[name].value()
                if value is not None:
                    data[form.add_prefix(name)] = value
    return data


def test_admin_deleting_an_extra_image_deletes_its_file_and_recounts(
    client, carousel, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/influencers/post/{carousel.pk}/change/"
    page = client.get(url)
    data = _change_form_data(page)
    form = page.context["inline_admin_formsets"][0].formset.forms[0]
    gone = form.instance.image.name
    data[form.add_prefix("DELETE")] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    carousel.refresh_from_db()
    assert carousel.extra_image_count == 2 and carousel.extra_images.count() == 2
    assert not default_storage.exists(gone)
    assert carousel.classification_status == "done"  # classified again with its three images
