"""Private media on S3-compatible storage: objects are private, every URL handed out is signed
(SigV4) and stops working when it expires.

Two real S3-compatible servers on loopback, because each enforces a different half: moto's server
refuses anonymous reads of private objects; s3rver (Node.js, installed by .ci/run and `make test`
into tests/tools/s3rver) refuses presigned URLs past their expiry. Neither is mocked in-process:
requests go over HTTP through django-storages and boto3 as in production.
"""

import io
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit, urlunsplit

import boto3
import environ
import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from config.settings.media_storage import media_storage
from recommender.models import RecommendationRequest
from tests.conftest import ROOT, free_port, jpeg_bytes, wait_for
from tests.factories import InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db
BUCKET = "stylematch-media"
S3RVER = ROOT / "tests" / "tools" / "s3rver" / "node_modules" / "s3rver" / "bin" / "s3rver.js"


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def s3_client(endpoint: str, key: str, secret: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(signature_version="s3v4"),
    )


def use_bucket(monkeypatch, settings, endpoint: str, key: str, secret: str, expire: int):
    """Point the media storage at the bucket exactly as production's environment would."""
    for name, value in {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_QUERYSTRING_EXPIRE": str(expire),
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(environ.Env())}


@pytest.fixture
def moto_s3(monkeypatch, settings):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = s3_client(endpoint, "moto-key", "moto-secret")
    client.create_bucket(Bucket=BUCKET)
    use_bucket(monkeypatch, settings, endpoint, "moto-key", "moto-secret", expire=300)
    yield client
    server.stop()


@pytest.fixture
def s3rver(monkeypatch, settings, tmp_path):
    node = shutil.which("node")
    if not node or not S3RVER.exists():
        pytest.skip("s3rver is not installed: npm ci --prefix tests/tools/s3rver (make test does)")
    port = free_port()
    process = subprocess.Popen(
        [node, str(S3RVER), "--address", "127.0.0.1", "--port", str(port), "--silent"]
        + ["--directory", str(tmp_path / "s3"), "--configure-bucket", BUCKET],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    # s3rver's built-in account; it checks presigned URLs' expiry.
    client = s3_client(endpoint, "S3RVER", "S3RVER")
    assert wait_for(lambda: _bucket_ready(client), timeout=20), "s3rver did not start"
    use_bucket(monkeypatch, settings, endpoint, "S3RVER", "S3RVER", expire=2)
    yield client
    process.terminate()
    process.wait(10)


def _bucket_ready(client) -> bool:
    try:
        client.head_bucket(Bucket=BUCKET)
        return True
    except Exception:
        return False


def assert_signed(url: str, expire: int) -> None:
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"], url
    assert query["X-Amz-Expires"] == [str(expire)], url
    assert query["X-Amz-Signature"][0], url


def unsigned(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query=""))


def test_media_on_s3_is_private_and_handed_out_only_as_signed_urls(
    moto_s3, active_model, consumer, django_capture_on_commit_callbacks
):
    from influencers.services.profiles import influencer_style_profile_rebuild

    for n, style in enumerate(["romantic", "resort", "street"]):
        influencer = InfluencerFactory(handle=f"s3_{n}")
        name = default_storage.save(f"posts/s3_{n}.jpg", ContentFile(jpeg_bytes(size=(90, 120))))
        classified_post(influencer, style, 10 * (n + 1), image=name)
        influencer_style_profile_rebuild(influencer_id=influencer.pk)

    api = APIClient()
    api.force_authenticate(consumer)
    upload = io.BytesIO(jpeg_bytes(size=(120, 150)))
    upload.name = "look.jpg"
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued on commit
        created = api.post("/api/v1/recommendations/", {"image": upload}, format="multipart")
    assert created.status_code == 202, created.content
    detail = api.get(f"/api/v1/recommendations/{created.json()['id']}/").json()
    assert detail["status"] == "done", detail

    # Both the catalogue images and the user's own upload went to the bucket, private.
    keys = {item["Key"] for item in moto_s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert any(k.startswith("queries/") for k in keys) and any(k.startswith("posts/") for k in keys)
    for key in keys:
        grants = moto_s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")], key

    evidence = [
        post["image"]
        for card in detail["results"]["similarity"]["cards"]
        for post in card["evidence"]
    ]
    assert evidence
    for url in evidence:
        assert_signed(url, expire=300)
        status, body = http_get(url)
        assert status == 200
        assert Image.open(io.BytesIO(body)).format == "JPEG"
        # The same object without the signature: refused by the storage server itself.
        assert http_get(unsigned(url))[0] == 403

    # The result page shows the user's upload through a signed URL too (the API never lists it).
    client = Client()
    client.force_login(consumer)
    page = client.get(f"/recommendations/{detail['id']}/").content.decode()
    # This request's own upload: the bucket may hold other tests' photos too.
    query_key = RecommendationRequest.objects.get(pk=detail["id"]).image.name
    src = next(part for part in page.split('"') if query_key in part).replace("&amp;", "&")
    assert_signed(src, expire=300)
    assert http_get(src)[0] == 200 and http_get(unsigned(src))[0] == 403


def test_a_signed_media_url_stops_working_when_it_expires(s3rver):
    name = default_storage.save("queries/expiring.jpg", ContentFile(jpeg_bytes()))
    url = default_storage.url(name)
    assert_signed(url, expire=2)
    assert http_get(url)[0] == 200
    time.sleep(3)
    status, body = http_get(url)
    assert status == 403 and b"Request has expired" in body
    # A fresh URL for the same object works again: expiry limits the link, not the file.
    assert http_get(default_storage.url(name))[0] == 200


def test_without_a_bucket_media_stays_on_local_disk(monkeypatch):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    assert media_storage(environ.Env())["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_classification_derivatives_live_and_go_with_their_images_in_the_bucket(
    moto_s3, full_size_checkpoint, shared_data, django_capture_on_commit_callbacks
):
    from influencers.models import Post
    from influencers.services.derivatives import derivative_name
    from recommender.services.classification import posts_classify_batch
    from recommender.services.registry import model_version_register

    version = model_version_register(checkpoint_path=full_size_checkpoint, name="s3", activate=True)
    photo = sorted((shared_data / "kfashion-original").rglob("*.jpg"))[0].read_bytes()
    name = default_storage.save("posts/s3_derived.jpg", ContentFile(photo))
    post = Post.objects.create(influencer=InfluencerFactory(), instagram_id="s3d", image=name)
    posts_classify_batch(post_ids=[post.pk], model_version_id=version.pk)
    post.refresh_from_db()
    assert post.classification_status == "done"
    keys = {o["Key"] for o in moto_s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {name, derivative_name(name)} <= keys
    small = moto_s3.get_object(Bucket=BUCKET, Key=derivative_name(name))["Body"].read()
    assert Image.open(io.BytesIO(small)).size == (256, 256) and len(small) < len(photo) / 2
    with django_capture_on_commit_callbacks(execute=True):
        post.delete()
    keys = {o["Key"] for o in moto_s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert name not in keys and derivative_name(name) not in keys
