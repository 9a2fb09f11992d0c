"""The admin import preview: the first rows as they will be read, the column chosen for each field,
staff changing it, and the choice kept as a named mapping applied to the next file from the same
source (issue 23)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from influencers.imports import ImportFileError
from influencers.models import ImportJob, ImportMapping, Post
from influencers.services.import_jobs import import_job_run
from influencers.services.import_mappings import import_mapping_save
from influencers.services.imports import posts_import, posts_preview
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in English leaves English active in this thread: later tests expect the default."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


PREVIEW = "/admin/influencers/influencer/import/preview/"
# A crawler whose headers no alias names.
ODD = (
    "who,words,hearts,link\nexample_odd,첫 글,12,https://www.instagram.com/p/ODD1/\n"
    "example_odd,둘째 글,7,https://www.instagram.com/reel/ODD2/\n"
)
CHOICES = {
    "map_user_name": "who",
    "map_text": "words",
    "map_like": "hearts",
    "map_permalink": "link",
}


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def test_the_preview_of_a_file_it_cannot_read_names_what_it_lacks_and_offers_its_columns(
    client, staff
):
    page = client.post(
        PREVIEW, {"posts_file": SimpleUploadedFile("odd.csv", ODD.encode()), "format": "auto"}
    ).content.decode()
    assert "lacks the field(s) user_name" in page
    assert '<option value="hearts">hearts</option>' in page
    assert not Post.objects.exists()


def test_staff_choose_the_columns_see_the_rows_as_read_save_the_mapping_and_import(
    client, staff, django_capture_on_commit_callbacks
):
    first = client.post(
        PREVIEW, {"posts_file": SimpleUploadedFile("odd.csv", ODD.encode()), "format": "auto"}
    )
    token = first.context["token"]
    chosen = {"token": token, "format": "auto", "field_choices": "1", **CHOICES}
    page = client.post(PREVIEW, {**chosen, "action": "preview"})
    rows = page.context["preview"]["rows"]
    assert [(r["user_name"], r["post_id"], r["like"], r["video"]) for r in rows] == [
        ("example_odd", "ODD1", 12, False),
        ("example_odd", "ODD2", 7, True),
    ]
    assert 'value="hearts" selected' in page.content.decode()
    client.post(PREVIEW, {**chosen, "action": "save", "mapping_name": "odd crawler"})
    saved = ImportMapping.objects.get()
    assert (saved.name, saved.headers) == ("odd crawler", ["hearts", "link", "who", "words"])
    assert saved.fields == {
        "user_name": "who",
        "text": "words",
        "like": "hearts",
        "permalink": "link",
    }
    with django_capture_on_commit_callbacks(execute=False):
        done = client.post(PREVIEW, {**chosen, "action": "import"})
    job = ImportJob.objects.get()
    assert done.url.endswith(f"/import/{job.pk}/")
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.report["posts_created"], job.report["errors"]) == ("done", 2, [])


def test_a_saved_mapping_is_applied_to_the_next_file_with_the_same_headers(client, staff):
    import_mapping_save(
        name="odd crawler",
        columns=["who", "words", "hearts", "link"],
        fields={k.removeprefix("map_"): v for k, v in CHOICES.items()},
    )
    # the same source's next export: its columns in another order and case
    later = "Link,Hearts,Who,Words\nhttps://www.instagram.com/p/ODD3/,5,example_odd,셋째 글\n"
    page = client.post(
        PREVIEW, {"posts_file": SimpleUploadedFile("odd2.csv", later.encode()), "format": "auto"}
    )
    assert page.context["preview"]["saved_mapping"] is True
    assert "a saved column mapping for these headers is applied" in page.content.decode()
    report = posts_import(posts_data=later.encode(), posts_name="odd2.csv")
    assert (report.errors, report.posts_created) == ([], 1)
    assert Post.objects.get().caption == "셋째 글"


def test_a_mapping_is_used_only_for_files_with_the_same_headers():
    import_mapping_save(
        name="odd crawler",
        columns=["who", "words", "hearts", "link"],
        fields={k.removeprefix("map_"): v for k, v in CHOICES.items()},
    )
    other = b"who,words,hearts\nexample_odd,x,1\n"
    with pytest.raises(ImportFileError, match="lacks the field"):
        posts_import(posts_data=other, posts_name="other.csv")


def test_the_api_imports_with_a_named_mapping_and_refuses_an_unknown_name(
    staff, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    import_mapping_save(
        name="odd crawler",
        columns=["who", "words", "hearts", "link"],
        fields={k.removeprefix("map_"): v for k, v in CHOICES.items()},
    )
    api = APIClient()
    api.force_authenticate(staff)
    unknown = api.post(
        "/api/v1/imports/",
        {"posts_file": SimpleUploadedFile("odd.csv", ODD.encode()), "mapping_name": "nope"},
        format="multipart",
    )
    assert unknown.status_code == 400 and not ImportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(
            "/api/v1/imports/",
            {
                "posts_file": SimpleUploadedFile("odd.csv", ODD.encode()),
                "mapping_name": "odd crawler",
            },
            format="multipart",
        )
    job = import_job_run(job_id=response.json()["id"])
    assert (job.status, job.report["posts_created"]) == ("done", 2)


def test_saving_a_mapping_with_an_unknown_column_is_refused_clearly():
    from django.utils import translation

    from common.errors import ApplicationError

    with translation.override("en"):
        with pytest.raises(ApplicationError, match="nope"):
            import_mapping_save(name="x", columns=["who"], fields={"user_name": "nope"})
        with pytest.raises(ApplicationError, match="Name the column mapping"):
            import_mapping_save(name=" ", columns=["who"], fields={"user_name": "who"})


def test_a_preview_writes_nothing_and_a_forged_token_is_refused(client, staff):
    preview = posts_preview(posts_data=ODD.encode(), posts_name="odd.csv")
    assert preview["error"] and not Post.objects.exists()
    page = client.post(PREVIEW, {"token": "imports/../../etc/passwd", "format": "auto"})
    assert "The preview has expired" in page.content.decode()
