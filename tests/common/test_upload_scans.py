"""Issue 21: a JPEG that is cheap to send and dear to decode is refused before decoding, and every
decode runs off the event loop (in a decode process) with a time limit."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from rest_framework.test import APIClient

from campaigns.services import campaign_create
from common.uploads import ImageRejected, _off_the_event_loop, image_validate
from influencers.models import Influencer, Post
from influencers.services.imports import posts_import
from recommender.models import RecommendationRequest
from tests.common.test_upload_plausibility import encode, noise
from tests.factories import BrandFactory, InfluencerFactory, UserFactory
from tests.influencers.test_admin_security import change_form_data


def many_scan_jpeg(size=(512, 512), extra_scans=200) -> bytes:
    """A progressive greyscale JPEG with its last scan repeated: the attack of issue 21.

    Every copy is a few bytes (one run of empty blocks) yet makes libjpeg walk every block of
    the image again; libjpeg only warns about the repeated scans and decodes the same picture.
    """
    jpeg = encode(Image.new("L", size, 128), "JPEG", progressive=True, quality=90)
    last_scan, end = jpeg.rfind(b"\xff\xda"), jpeg.rfind(b"\xff\xd9")
    return jpeg[:end] + jpeg[last_scan:end] * extra_scans + jpeg[end:]


def scan_count(jpeg: bytes) -> int:
    return jpeg.count(b"\xff\xda")


def rejected(data: bytes, name: str = "look.jpg") -> ImageRejected:
    with pytest.raises(ImageRejected) as info:
        image_validate(data=data, filename=name)
    return info.value


def test_a_jpeg_with_thousands_of_scans_is_refused_with_its_code():
    """The attack file: 6320 x 6320, one DC scan and a thousand tiny AC scans, ~200 KB.

    Decoded, it took 14.6 s on the production machine and over 50 s here; refused, it costs a
    walk over its markers.
    """
    attack = many_scan_jpeg((6320, 6320), extra_scans=1000)
    assert len(attack) < 500_000 and scan_count(attack) > 1000
    error = rejected(attack)
    assert error.code == "too_many_scans"
    assert "32" in error.message


def test_the_scan_limit_is_a_setting_and_the_same_file_under_it_is_accepted(settings):
    attack = many_scan_jpeg(extra_scans=40)
    assert rejected(attack).code == "too_many_scans"
    settings.UPLOAD_JPEG_MAX_SCANS = 100
    assert image_validate(data=attack, filename="look.jpg").width == 512


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_a_normal_progressive_jpeg_is_still_accepted(mode):
    photo = encode(noise((900, 700), seed=4).convert(mode), "JPEG", quality=85, progressive=True)
    assert scan_count(photo) in (6, 10)  # libjpeg's scripts: greyscale 6, colour 10
    stored = image_validate(data=photo, filename="look.jpg")
    assert (stored.width, stored.height) == (900, 700)


def test_real_progressive_photos_are_accepted(shared_data):
    photos = sorted((shared_data / "clothing-cc0").rglob("*.jpg"))[:3]
    if not photos:
        pytest.skip("no CC0 photos in the shared data")
    for path in photos:
        progressive = encode(Image.open(path).convert("RGB"), "JPEG", progressive=True)
        assert image_validate(data=progressive, filename=path.name).content


def test_scans_inside_appended_bytes_are_not_counted():
    """Only the markers up to the end of the image count: a tail is dropped anyway."""
    photo = encode(noise((64, 64)), "JPEG", quality=80)
    assert image_validate(data=photo + b"\xff\xda\x00\x02" * 100, filename="look.jpg")


# UPLOAD_DECODE_PROCESSES: the decode processes (production's default), and 0: threads in-process.
@pytest.mark.parametrize("processes", [2, 0])
def test_a_decode_past_the_time_limit_is_refused_with_its_code(settings, processes):
    settings.UPLOAD_DECODE_PROCESSES = processes
    settings.UPLOAD_JPEG_MAX_SCANS = 10_000
    settings.UPLOAD_DECODE_TIMEOUT = 0.05
    slow = many_scan_jpeg((2000, 2000), extra_scans=100)  # seconds of decoding
    assert rejected(slow).code == "decode_too_slow"
    settings.UPLOAD_DECODE_TIMEOUT = 120
    assert image_validate(data=slow, filename="look.jpg").width == 2000


def test_an_upload_no_decode_thread_takes_up_in_time_is_refused_as_busy(settings):
    """Every decode thread busy with other work: the wait is bounded too, and not called slow.

    The in-process path (UPLOAD_DECODE_PROCESSES=0); the decode processes' own: in
    tests/common/test_decode_processes.py."""
    settings.UPLOAD_DECODE_PROCESSES = 0
    running, gate = threading.Semaphore(0), threading.Event()

    def hold_a_decode_thread():
        running.release()
        gate.wait(30)

    busy = [
        threading.Thread(target=_off_the_event_loop, args=(hold_a_decode_thread,))
        for _ in range(settings.UPLOAD_DECODE_THREADS)
    ]
    for thread in busy:
        thread.start()
    for _ in busy:
        assert running.acquire(timeout=30)  # every decode thread is now held
    photo = encode(noise((64, 64)), "JPEG", quality=80)
    try:
        settings.UPLOAD_DECODE_QUEUE_TIMEOUT = 0.1
        assert rejected(photo).code == "decode_busy"
    finally:
        gate.set()
        for thread in busy:
            thread.join()
    settings.UPLOAD_DECODE_QUEUE_TIMEOUT = 60
    assert image_validate(data=photo, filename="look.jpg")  # the threads are free again


@pytest.mark.parametrize("processes", [2, 0])
def test_a_refusal_raised_where_the_image_decodes_speaks_the_requests_language(settings, processes):
    settings.UPLOAD_DECODE_PROCESSES = processes
    truncated = encode(noise((300, 200)), "JPEG", quality=90)[:-400] + b"\xff\xd9"
    with translation.override("ko"):
        error = rejected(truncated)
    assert error.code == "corrupt_image" and "손상" in error.message


# --- every path: web form, API, campaign images, admin, import -----------------------------------


def attack_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("look.jpg", many_scan_jpeg(), content_type="image/jpeg")


@pytest.mark.django_db
def test_the_web_form_refuses_a_many_scan_jpeg(client):
    client.force_login(UserFactory(role="consumer"))
    form = {"mode": "consumer", "gender": "F", "body_size": "M", "ranking": "similarity"}
    response = client.post("/recommendations/", {**form, "image": attack_upload()})
    assert response.status_code == 400
    with translation.override(response["Content-Language"]):
        message = rejected(many_scan_jpeg()).message
    assert response.context["form"].errors["image"] == [message]
    assert message in response.content.decode()
    assert not RecommendationRequest.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_a_many_scan_jpeg_with_the_code():
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.post("/api/v1/recommendations/", {"image": attack_upload()}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "too_many_scans"
    assert not RecommendationRequest.objects.exists()


@pytest.mark.django_db
def test_the_campaign_image_api_refuses_a_many_scan_jpeg_with_the_code():
    brand = BrandFactory()
    campaign = campaign_create(user=brand, name="SS", target_gender="F", target_body_size="M")
    api = APIClient()
    api.force_authenticate(brand)
    response = api.post(
        f"/api/v1/campaigns/{campaign.pk}/images/", {"image": attack_upload()}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["code"] == "too_many_scans"
    assert not campaign.images.exists() and not RecommendationRequest.objects.exists()


@pytest.mark.django_db
def test_the_admin_change_form_refuses_a_many_scan_jpeg(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    influencer = InfluencerFactory(handle="scanned")
    url = f"/admin/influencers/influencer/{influencer.pk}/change/"
    data = change_form_data(client.get(url))
    response = client.post(url, {**data, "profile_image": attack_upload()})
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("profile_image", "too_many_scans")
    influencer.refresh_from_db()
    assert not influencer.profile_image


@pytest.mark.django_db
def test_an_import_reports_a_many_scan_jpeg_as_a_row_error(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    (folder / "a1.jpg").write_bytes(many_scan_jpeg())
    (folder / "a2.jpg").write_bytes(encode(noise((80, 60)), "JPEG", progressive=True))
    posts = (
        "user_name,post_id,text,timestamp,like,video\n"
        "alpha,a1,one,2024-01-01,1,False\nalpha,a2,two,2024-01-02,1,False\n"
    )
    people = "user_name,gender,size,followers,height,display_name\nalpha,F,S,1000,160,알파\n"
    report = posts_import(
        posts_data=posts.encode(),
        posts_name="posts.csv",
        influencers_data=people.encode(),
        images=folder,
    )
    assert [(e["column"], e["reason"].split(":")[0]) for e in report.errors] == [
        ("image", "too_many_scans")
    ]
    assert report.images_stored == 1
    assert not Post.objects.filter(instagram_id="a1").exists()
    assert Post.objects.get(instagram_id="a2").image
    assert Influencer.objects.filter(handle="alpha").exists()
