"""Carousel posts (issue 15, item 7): several images per post, stored, classified and averaged.

Real photos from ../shared/data/clothing-cc0 where the classification is checked (skipped without
them); generated JPEGs for the import's logic, which runs everywhere. The crawl's `<post_id>_<n>.jpg` naming, Graph API
album `children`, Graph API pages given as several files, and the files' life cycle.
"""

import io
import json
import shutil
import weakref
import zipfile
from pathlib import Path

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from common.vectors import vector_from_bytes
from influencers.models import ClassificationStatus, Post, PostImage
from influencers.selectors import post_images
from influencers.services.derivatives import derivative_name
from influencers.services.imports import posts_import
from mlcore.inference import predictions_mean
from recommender.services.classifiers import classifier_for
from tests.conftest import jpeg_bytes, media_files

pytestmark = pytest.mark.django_db

PEOPLE = "user_name,gender,size\nalpha,F,S\n"
CRAWL = (
    "user_name,post_id,text,timestamp,like,video\n"
    "alpha,1,세 장 #데일리룩,2024-03-01 12:00:00,120,false\n"
    "alpha,2,한 장,2024-03-02 12:00:00,80,false\n"
)


@pytest.fixture
def photos(shared_data) -> list[Path]:
    """Real clothing photos of different kinds (so their predictions differ)."""
    root = shared_data / "clothing-cc0"
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    kinds = ["dress", "pants", "shoes", "hat", "outwear"]
    return [sorted((root / kind).glob("*.jpg"))[0] for kind in kinds]


@pytest.fixture
def pictures(tmp_path) -> list[Path]:
    """Generated JPEGs, each its own colour with noise (distinct files), for the import's logic:
    numbering, children, pages, replacement and rollback need no real photo."""
    folder = tmp_path / "generated"
    folder.mkdir()
    paths = []
    for n, colour in enumerate([(220, 40, 40), (40, 180, 60), (50, 70, 210), (230, 200, 40)] * 2):
        noise = Image.effect_noise((160, 200), 30 + n).convert("RGB")
        buffer = io.BytesIO()
        Image.blend(Image.new("RGB", (160, 200), colour), noise, 0.35).save(buffer, "JPEG")
        paths.append(folder / f"picture{n}.jpg")
        paths[-1].write_bytes(buffer.getvalue())
    return paths


def _folder(tmp_path, files: dict[str, Path | bytes]) -> Path:
    folder = tmp_path / "images"
    folder.mkdir(exist_ok=True)
    for name, source in files.items():
        if isinstance(source, Path):
            shutil.copy(source, folder / name)
        else:
            (folder / name).write_bytes(source)
    return folder


def _import(posts: str | bytes, images=None, format="crawl", **kwargs):
    return posts_import(
        posts_data=posts.encode() if isinstance(posts, str) else posts,
        posts_name="posts.csv" if format == "crawl" else "page1.json",
        influencers_data=PEOPLE.encode(),
        images=images,
        format=format,
        **kwargs,
    )


def _post_files() -> list[Path]:
    return media_files(Path(default_storage.location) / "posts")


def _stored_names(post: Post) -> list[str]:
    return [f.name for f in post_images(posts=[post])[0]]


def test_a_crawl_folder_with_three_numbered_images_imports_one_post_classified_by_their_mean(
    tmp_path, photos, active_model, django_capture_on_commit_callbacks
):
    folder = _folder(
        tmp_path,
        {"1.jpg": photos[0], "1_2.jpg": photos[1], "1_3.jpg": photos[2], "2.jpg": photos[3]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = _import(CRAWL, folder)
    assert report.errors == [] and report.posts_created == 2 and report.images_stored == 4
    carousel, single = Post.objects.get(instagram_id="1"), Post.objects.get(instagram_id="2")
    assert (carousel.extra_image_count, single.extra_image_count) == (2, 0)
    assert list(carousel.extra_images.values_list("position", flat=True)) == [2, 3]
    names = _stored_names(carousel)
    assert len(names) == 3 and all(default_storage.exists(n) for n in names)
    # Stored in the crawl's order: each stored file is its source re-encoded (same size).
    for name, source in zip(names, photos[:3], strict=True):
        assert default_storage.open(name).read() != source.read_bytes()  # re-encoded, not copied
    assert carousel.classification_status == ClassificationStatus.DONE
    assert carousel.model_version == active_model
    # The post's probabilities are the mean of its three images' predictions.
    classifier = classifier_for(active_model)
    each = classifier.predict([default_storage.open(n).read() for n in names])
    expected = np.mean([p.probabilities for p in each], axis=0)
    stored = vector_from_bytes(carousel.style_probabilities)
    np.testing.assert_allclose(stored, expected, rtol=1e-5, atol=1e-6)
    assert carousel.predicted_style == predictions_mean(each).top_style
    assert carousel.style_confidence == pytest.approx(float(expected.max()), rel=1e-5)
    assert not np.allclose(stored, each[0].probabilities)  # not the cover's alone
    # A single-image post is classified by its own image, as before.
    (own,) = classifier.predict([default_storage.open(single.image.name).read()])
    np.testing.assert_allclose(
        vector_from_bytes(single.style_probabilities), own.probabilities, rtol=1e-5, atol=1e-6
    )


def test_a_numbered_name_that_is_itself_a_post_id_stays_that_posts_image(tmp_path, pictures):
    posts = CRAWL + "alpha,1_2,아이디에 밑줄,2024-03-03 12:00:00,5,false\n"
    folder = _folder(
        tmp_path, {"1.jpg": pictures[0], "1_2.jpg": pictures[1], "1_3.jpg": pictures[2]}
    )
    assert _import(posts, folder).errors == []
    first = Post.objects.get(instagram_id="1")
    assert first.extra_image_count == 1  # 1_3 only; 1_2.jpg is post 1_2's own image
    assert Post.objects.get(instagram_id="1_2").image


def _album(post_id: str, children: list[str], **fields) -> dict:
    return {
        "id": post_id,
        "caption": f"앨범 {post_id}",
        "like_count": 10,
        "media_type": "CAROUSEL_ALBUM",
        "timestamp": "2024-05-01T12:00:00+0000",
        "children": {"data": [{"id": c, "media_type": "IMAGE"} for c in children]},
        **fields,
    }


def _media(post_id: str) -> dict:
    return {
        "id": post_id,
        "caption": f"사진 {post_id}",
        "like_count": 5,
        "media_type": "IMAGE",
        "timestamp": "2024-05-02T12:00:00+0000",
    }


def test_graph_album_children_are_the_posts_images_in_their_order(tmp_path, pictures):
    page = {"username": "alpha", "data": [_album("g1", ["c3", "c1", "c2"]), _media("g2")]}
    folder = _folder(
        tmp_path,
        {
            "c1.jpg": pictures[0],
            "c2.jpg": pictures[1],
            "c3.jpg": pictures[2],
            "g2.jpg": pictures[3],
        },
    )
    report = _import(json.dumps(page), folder, format="graph")
    assert report.errors == [] and report.images_stored == 4
    album = Post.objects.get(instagram_id="g1")
    assert album.extra_image_count == 2
    # The cover is the first child (c3), then c1, c2: compare with the same pictures re-encoded.
    stored = [default_storage.open(n).read() for n in _stored_names(album)]
    expected = [
        _folder_reencoded(pictures[2]),
        _folder_reencoded(pictures[0]),
        _folder_reencoded(pictures[1]),
    ]
    assert stored == expected


def _folder_reencoded(path: Path) -> bytes:
    from common.uploads import image_validate

    return image_validate(data=path.read_bytes(), filename=path.name).content


def test_graph_pages_given_as_two_files_import_as_one_export(tmp_path, pictures, settings):
    first = {
        "business_discovery": {
            "username": "alpha",
            "media": {
                "data": [_album("g1", ["c1", "c2"]), _media("g2")],
                "paging": {"cursors": {"after": "QVFIUm"}},
            },
        }
    }
    # The next page, as the API returns it, names no account: the first page's owns it.
    second = {"data": [_media("g3"), _media("g2")], "paging": {"cursors": {"before": "QVFIUm"}}}
    folder = _folder(
        tmp_path, {"c1.jpg": pictures[0], "c2.jpg": pictures[1], "g3.jpg": pictures[2]}
    )
    report = _import(
        json.dumps(first),
        folder,
        format="graph",
        more_posts=[(json.dumps(second).encode(), "page2.json")],
    )
    assert sorted(Post.objects.values_list("instagram_id", flat=True)) == ["g1", "g2", "g3"]
    assert set(Post.objects.values_list("influencer__handle", flat=True)) == {"alpha"}
    assert Post.objects.get(instagram_id="g1").extra_image_count == 1
    # g2 is on both pages: one post, and the repeat reported where it is.
    assert [
        {k: e[k] for k in ("row", "line", "column", "reason", "file")} for e in report.errors
    ] == [
        {
            "row": 2,
            "line": 2,
            "column": "post_id",
            "reason": "duplicate of row 2 of page1.json",
            "file": "page2.json",
        }
    ]

    # The command takes the pages as several files and imports them the same way.
    (tmp_path / "page1.json").write_text(json.dumps(first))
    (tmp_path / "page2.json").write_text(json.dumps(second))
    Post.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_posts",
        str(tmp_path / "page1.json"),
        str(tmp_path / "page2.json"),
        "--format=graph",
        f"--images={folder}",
        stdout=out,
        stderr=err,
    )
    assert "3 created" in out.getvalue()
    assert "page2.json row 2 [post_id]: duplicate of row 2 of page1.json" in err.getvalue()


def test_a_bad_child_image_is_a_bad_row_and_loses_nothing_else(tmp_path, pictures):
    page = {
        "username": "alpha",
        "data": [_album("g1", ["c1", "c2", "c3"]), _album("g4", ["c4", "c5"]), _media("g2")],
    }
    truncated = pictures[1].read_bytes()[:2000]
    folder = _folder(
        tmp_path,
        {
            "c1.jpg": pictures[0],
            "c2.jpg": truncated,
            "c3.jpg": pictures[2],
            "c4.jpg": pictures[3],
            "c5.jpg": pictures[4],
            "g2.jpg": pictures[0],
        },
    )
    report = _import(json.dumps(page), folder, format="graph")
    assert [(e["row"], e["column"]) for e in report.errors] == [(1, "image")]
    assert "c2" in report.errors[0]["reason"]
    # The album with the bad child is not stored at all (no partial carousel); the rest are whole.
    assert sorted(Post.objects.values_list("instagram_id", flat=True)) == ["g2", "g4"]
    assert Post.objects.get(instagram_id="g4").extra_image_count == 1
    assert report.images_stored == 3 and len(_post_files()) == 3


def test_a_zip_with_numbered_images_at_any_depth_and_a_bad_member(tmp_path, pictures):
    archive = tmp_path / "images.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(pictures[0], "export/1.jpg")
        zf.write(pictures[1], "export/more/1_2.jpg")
        zf.writestr("export/2.jpg", jpeg_bytes())
        zf.writestr("export/2_2.jpg", b"not an image at all")
    report = _import(CRAWL, archive)
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "image")]
    assert "2_2" in report.errors[0]["reason"]
    assert Post.objects.get(instagram_id="1").extra_image_count == 1
    assert not Post.objects.filter(instagram_id="2").exists()


def test_more_images_than_a_post_holds_is_a_bad_row(tmp_path, settings):
    files = {"2.jpg": jpeg_bytes()} | {f"2_{n}.jpg": jpeg_bytes() for n in range(2, 23)}
    report = _import(CRAWL, _folder(tmp_path, files))
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "image")]
    assert "22 images" in report.errors[0]["reason"]
    assert report.posts_created == 1 and len(_post_files()) == 0


def test_reimporting_changed_images_replaces_the_old_files_and_the_same_changes_nothing(
    tmp_path, pictures, django_capture_on_commit_callbacks
):
    first = _folder(
        tmp_path, {"1.jpg": pictures[0], "1_2.jpg": pictures[1], "1_3.jpg": pictures[2]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        _import(CRAWL, first)
    post = Post.objects.get(instagram_id="1")
    old = _stored_names(post)
    with django_capture_on_commit_callbacks(execute=True):
        again = _import(CRAWL, first)
    assert (again.posts_unchanged, again.images_stored) == (2, 0)
    assert _stored_names(Post.objects.get(instagram_id="1")) == old

    # The classification derivatives a 256 px model would have left beside them.
    for name in old:
        default_storage.save(derivative_name(name), ContentFile(b"\xff\xd8 small \xff\xd9"))
    (first / "1_3.jpg").unlink()  # the post now has two images, the second a different photo
    shutil.copy(pictures[3], first / "1_2.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        changed = _import(CRAWL, first)
    assert changed.posts_updated == 1
    post.refresh_from_db()
    assert post.extra_image_count == 1 and post.classification_status == "pending"
    new = _stored_names(post)
    assert len(new) == 2 and all(default_storage.exists(n) for n in new)
    assert not any(default_storage.exists(n) for n in old)  # the replaced files are gone
    assert not any(default_storage.exists(derivative_name(n)) for n in old)  # and their copies
    assert len(_post_files()) == len(new)


def test_deleting_a_post_or_its_influencer_deletes_its_extra_image_files(
    tmp_path, pictures, django_capture_on_commit_callbacks
):
    folder = _folder(
        tmp_path,
        {
            "1.jpg": pictures[0],
            "1_2.jpg": pictures[1],
            "3.jpg": pictures[3],
            "3_2.jpg": pictures[4],
        },
    )
    _import(CRAWL + "alpha,3,또,2024-03-05 12:00:00,1,false\n", folder)
    first, third = Post.objects.get(instagram_id="1"), Post.objects.get(instagram_id="3")
    first_extra = first.extra_images.get().image.name
    third_extra = third.extra_images.get().image.name
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert not default_storage.exists(first_extra)
    assert default_storage.exists(third_extra)
    with django_capture_on_commit_callbacks(execute=True):
        third.influencer.delete()
    assert not default_storage.exists(third_extra)
    assert not PostImage.objects.exists()


def test_the_admin_page_and_the_api_import_graph_pages_as_one(
    client, tmp_path, pictures, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from influencers.models import ImportJob
    from tests.factories import UserFactory

    first = {"username": "alpha", "data": [_album("g1", ["c1", "c2"])], "paging": {}}
    second = {"data": [_media("g2")], "paging": {}}
    third = {"data": [_media("g3"), _media("g1")]}
    archive = tmp_path / "images.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(pictures[0], "c1.jpg")
        zf.write(pictures[1], "c2.jpg")

    def files():
        return {
            "posts_file": SimpleUploadedFile("page1.json", json.dumps(first).encode()),
            "more_posts_files": [
                SimpleUploadedFile("page2.json", json.dumps(second).encode()),
                SimpleUploadedFile("page3.json", json.dumps(third).encode()),
            ],
            "influencers_file": SimpleUploadedFile("people.csv", PEOPLE.encode()),
            "images_zip": SimpleUploadedFile("images.zip", archive.read_bytes()),
            "format": "graph",
        }

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/influencers/influencer/import/", files())
    job = ImportJob.objects.get()
    assert (job.status, job.report["posts_created"]) == ("done", 3), job.error
    assert [(e.get("file"), e["row"]) for e in job.report["errors"]] == [("page3.json", 2)]
    assert Post.objects.get(instagram_id="g1").extra_image_count == 1
    page = client.get(f"/admin/influencers/influencer/import/{job.pk}/").content.decode()
    assert "page3.json: 2" in page
    # The uploaded pages are deleted once the job ends.
    assert default_storage.listdir(f"imports/{job.pk}")[1] == []

    Post.objects.all().delete()
    api = APIClient()
    api.force_authenticate(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", files(), format="multipart")
    assert response.status_code == 202, response.content
    job = api.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (job["status"], job["report"]["posts_created"]) == ("done", 3)
    # Several files are for the pages of a Graph API export only.
    crawl = {**files(), "format": "crawl"}
    response = api.post("/api/v1/imports/", crawl, format="multipart")
    assert response.status_code == 400 and "Graph API" in response.content.decode()


def test_a_chunk_stores_each_rows_images_before_reading_the_next_row(tmp_path, monkeypatch):
    """Memory: a chunk never holds more than one row's validated images (bytes) at a time."""
    from influencers.services import imports

    alive: weakref.WeakSet = weakref.WeakSet()
    most_alive = 0
    validate = imports.image_validate

    def validate_and_count(**kwargs):
        nonlocal most_alive
        image = validate(**kwargs)
        alive.add(image)
        most_alive = max(most_alive, len(alive))
        return image

    monkeypatch.setattr(imports, "image_validate", validate_and_count)
    posts = "user_name,post_id,text,timestamp,like,video\n" + "".join(
        f"alpha,{n},사진,2024-03-0{n} 12:00:00,{n},false\n" for n in range(1, 6)
    )
    files = {
        f"{n}{suffix}.jpg": jpeg_bytes(color=(40 * n, 10 * k, 200 - 30 * k))
        for n in range(1, 6)
        for k, suffix in enumerate(["", "_2", "_3"])
    }
    report = _import(posts, _folder(tmp_path, files))
    assert report.errors == [] and report.images_stored == 15
    ordered = PostImage.objects.order_by("post__instagram_id", "position")
    assert list(ordered.values_list("post__instagram_id", "position")) == [
        (str(n), position) for n in range(1, 6) for position in (2, 3)
    ]
    assert len(_post_files()) == 15
    assert most_alive == 3  # one row's three images, not the chunk's fifteen


def test_an_image_refusal_stored_by_a_korean_worker_reads_in_each_readers_language(tmp_path):
    from django.utils import translation

    from influencers.imports.readers import row_error_text

    page = {"username": "alpha", "data": [_album("g1", ["c1", "c2"]), _media("g2")]}
    folder = _folder(
        tmp_path,
        {"c1.jpg": jpeg_bytes(), "c2.jpg": jpeg_bytes()[:300], "g2.jpg": b"GIF89a" + bytes(40)},
    )
    with translation.override("ko"):  # the worker runs in the site's language
        report = _import(json.dumps(page), folder, format="graph")
    album, single = report.errors
    assert (album["code"], single["code"]) == ("carousel_image_refused", "image_refused")
    # The English text for the command line and the API, whatever the worker's language.
    assert (
        album["reason"]
        == "corrupt_image: c2: The image is damaged or truncated and cannot be read."
    )
    assert single["reason"] == (
        "unsupported_format: GIF files are not accepted; upload a JPEG, PNG or WebP image."
    )
    with translation.override("en"):
        assert row_error_text(album) == album["reason"]
        assert row_error_text(single) == single["reason"]
    with translation.override("ko"):
        assert (
            row_error_text(album)
            == "corrupt_image: c2: 이미지가 손상되었거나 잘려 있어 읽을 수 없습니다."
        )
        assert row_error_text(single) == (
            "unsupported_format: GIF 파일은 받지 않습니다. JPEG, PNG, WebP 이미지를 올려 주세요."
        )


def test_an_album_with_some_childrens_images_missing_is_a_bad_row_unless_they_are_videos(tmp_path):
    from django.utils import translation

    from influencers.imports.readers import row_error_text

    with_video = _album("g3", ["c5", "v6"])
    with_video["children"]["data"][1]["media_type"] = "VIDEO"
    page = {
        "username": "alpha",
        "data": [_album("g1", ["c1", "c2", "c3"]), _album("g2", ["c4"]), with_video],
    }
    folder = _folder(
        tmp_path,
        {
            "c1.jpg": jpeg_bytes((200, 30, 30)),
            "c3.jpg": jpeg_bytes((30, 200, 30)),
            "g2.jpg": jpeg_bytes((30, 30, 200)),  # no child has one: the post's own image
            "c5.jpg": jpeg_bytes((90, 90, 30)),
        },
    )
    report = _import(json.dumps(page), folder, format="graph")
    assert [(e["row"], e["column"], e["code"]) for e in report.errors] == [
        (1, "image", "carousel_image_missing")
    ]
    assert report.errors[0]["reason"] == (
        "no image for the album's c2: an album is imported with all its images or not at all"
    )
    with translation.override("ko"):
        assert row_error_text(report.errors[0]).startswith("앨범의 c2 이미지가 없습니다")
    # Nothing of the bad album is stored; the others are whole (the video child needs no image).
    assert sorted(Post.objects.values_list("instagram_id", flat=True)) == ["g2", "g3"]
    assert Post.objects.get(instagram_id="g3").extra_image_count == 0
    assert report.images_stored == 2 and len(_post_files()) == 2


def _full_carousel(tmp_path) -> Post:
    """Post 1 with as many images as a post holds (generated, each its own colour)."""
    from influencers.constants import POST_IMAGES_MAX

    files = {"1.jpg": jpeg_bytes((250, 0, 0))} | {
        f"1_{n}.jpg": jpeg_bytes((10 * n, 255 - 10 * n, 5 * n))
        for n in range(2, POST_IMAGES_MAX + 1)
    }
    assert _import(CRAWL, _folder(tmp_path, files)).errors == []
    post = Post.objects.get(instagram_id="1")
    assert post.extra_image_count == POST_IMAGES_MAX - 1
    return post


def test_admin_refuses_a_crafted_post_that_adds_an_image_past_the_limit(client, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import UserFactory
    from tests.web.test_carousel_pages import _change_form_data

    post = _full_carousel(tmp_path)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/influencers/post/{post.pk}/change/"
    page = client.get(url)
    formset = page.context["inline_admin_formsets"][0].formset
    data = _change_form_data(page)
    # The browser offers no "add" row at the limit; a hand-made POST adds one anyway.
    new = f"{formset.prefix}-{formset.total_form_count()}"
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.total_form_count() + 1)
    data |= {f"{new}-position": "21", f"{new}-post": str(post.pk)}
    image = SimpleUploadedFile("x.jpg", jpeg_bytes((1, 2, 3), size=(90, 120)))
    response = client.post(url, {**data, f"{new}-image": image})
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert errors and "19" in str(errors)
    assert post.extra_images.count() == 19 and len(_post_files()) == 20


def test_the_service_refuses_staffs_edit_past_the_image_limit(tmp_path):
    from django.core.files.base import ContentFile
    from django.utils import translation

    from common.errors import ApplicationError
    from influencers.services.curation import post_images_saved_by_staff

    post = _full_carousel(tmp_path)
    extra = PostImage(post=post, position=21)
    extra.image = ContentFile(jpeg_bytes((1, 2, 3)), name="x.jpg")
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        post_images_saved_by_staff(post=post, saved=[extra], deleted=[], previous_images=[])
    assert refused.value.code == "too_many_images"
    assert str(refused.value.message) == (
        "A post holds at most 20 images (the cover and 19 more); this edit would give it 21."
    )
    assert post.extra_images.count() == 19 and len(_post_files()) == 20
    # Deleting one makes room for the new one.
    first = post.extra_images.first()
    post_images_saved_by_staff(post=post, saved=[extra], deleted=[first], previous_images=[])
    post.refresh_from_db()
    assert post.extra_image_count == 19


def test_several_posts_files_are_refused_for_a_crawl_the_same_way_by_every_entry_point():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from common.errors import ApplicationError
    from influencers.services.import_jobs import import_job_start
    from tests.factories import UserFactory

    refusals = []
    with translation.override("en"):
        with pytest.raises(ApplicationError) as refused:
            _import(CRAWL, more_posts=[(CRAWL.encode(), "more.csv")])  # the command's way
        refusals.append(refused.value)
        with pytest.raises(ApplicationError) as refused:  # admin's and the API's way
            import_job_start(
                user=UserFactory(is_staff=True),
                posts_file=SimpleUploadedFile("posts.csv", CRAWL.encode()),
                more_posts_files=[SimpleUploadedFile("more.csv", CRAWL.encode())],
                format="crawl",
            )
        refusals.append(refused.value)
    assert {(r.code, str(r.message)) for r in refusals} == {
        (
            "bad_format",
            "Only the pages of a Graph API export can be given as several posts files.",
        )
    }
    assert not Post.objects.exists()


def test_replacing_carousels_deletes_their_old_rows_in_one_query_and_every_old_file(
    tmp_path, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    posts = CRAWL + "alpha,3,또,2024-03-05 12:00:00,1,false\n"
    files = {
        f"{post}{suffix}.jpg": jpeg_bytes((60 * post, 40 * k, 90))
        for post in (1, 3)
        for k, suffix in enumerate(["", "_2", "_3", "_4"])
    }
    folder = _folder(tmp_path, files)
    with django_capture_on_commit_callbacks(execute=True):
        _import(posts, folder)
    old = [name for p in Post.objects.all() for name in _stored_names(p)]
    assert len(old) == 8
    for post in (1, 3):
        (folder / f"{post}_2.jpg").write_bytes(jpeg_bytes((1, 2 * post, 3)))
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
    ):
        report = _import(posts, folder)
    assert report.posts_updated == 2
    deletes = [
        q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "influencers_postimage"')
    ]
    assert len(deletes) == 1
    assert not any(default_storage.exists(name) for name in old)
    assert len(_post_files()) == 8
