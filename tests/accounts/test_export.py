"""Export: one ZIP of JSON and the user's photos, from the profile page and the API, never cached."""

import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from rest_framework.test import APIClient

from recommender.models import RecommendationRequest
from tests.accounts.conftest import hold_everything
from tests.factories import BrandFactory
from tests.reliability.test_s3_media import moto_s3  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def archive_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert 'attachment; filename="stylematch-my-data.zip"' == response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name).decode())


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as fp:
        return fp.read()


def test_the_profile_page_links_the_export_and_the_zip_holds_all_of_the_users_data(
    holder, bystander
):
    profile = holder.client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/export/"' in profile and 'href="/accounts/withdraw/"' in profile
    request = RecommendationRequest.objects.filter(user=holder.user).first()
    RecommendationRequest.objects.filter(pk=request.pk).update(
        status="done", predicted_style="romantic", results={"similarity": {"cards": [1]}}
    )

    archive = archive_of(holder.client.get("/accounts/export/"))

    profile_data = read_json(archive, "profile.json")
    assert profile_data["username"] == "leaving_brand"
    assert profile_data["email"] == "leaving_brand@example.com"
    assert profile_data["consents"][0]["consent"] == "required"
    requests = read_json(archive, "recommendations.json")
    assert len(requests) == 2
    done = next(r for r in requests if r["id"] == request.pk)
    assert done["predicted_style"] == "romantic"
    assert done["results"] == {"similarity": {"cards": [1]}}
    campaigns = read_json(archive, "campaigns.json")
    assert campaigns[0]["name"] == "봄 캠페인" and campaigns[0]["brief"] == "비공개 기획"
    entry = campaigns[0]["shortlist"][0]
    assert "첫 연락 예정" in entry["notes"] and "답장 받음" in entry["notes"]
    assert [c["note"] for c in entry["stage_changes"]] == ["첫 연락 예정", "답장 받음"]
    assert read_json(archive, "saved_influencers.json")[0]["note"] == "여름에 다시"
    for name in holder.photos:
        assert archive.read(f"photos/{name}") == stored_bytes(name)
        assert f"photos/{name}" in {r["photo"] for r in requests}
    # Nothing of the other brand.
    everything = b"".join(archive.read(n) for n in archive.namelist())
    assert b"staying_brand" not in everything
    assert not set(f"photos/{n}" for n in bystander.photos) & set(archive.namelist())


def test_the_api_export_answers_the_same_zip_and_refuses_anonymous_callers(holder):
    api = APIClient(HTTP_AUTHORIZATION=f"Token {holder.token}")
    archive = archive_of(api.get("/api/v1/me/export/"))
    assert {"profile.json", "recommendations.json", "campaigns.json"} <= set(archive.namelist())
    assert APIClient().get("/api/v1/me/export/").status_code == 401
    assert Client().get("/accounts/export/").status_code == 302  # to the log-in page


def test_a_photo_missing_from_storage_is_named_in_the_export_not_a_500(holder):
    default_storage.delete(holder.photos[0])

    archive = archive_of(holder.client.get("/accounts/export/"))

    assert read_json(archive, "export.json")["photos_missing_from_storage"] == [holder.photos[0]]
    assert archive.read(f"photos/{holder.photos[1]}") == stored_bytes(holder.photos[1])


def test_the_export_copies_the_photos_out_of_the_s3_bucket(moto_s3):  # noqa: F811
    user = hold_everything(BrandFactory(username="s3_exporter"))
    archive = archive_of(user.client.get("/accounts/export/"))
    for name in user.photos:
        assert archive.read(f"photos/{name}") == stored_bytes(name)
        assert archive.read(f"photos/{name}")[:2] == b"\xff\xd8"
