import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from influencers.models import ImportJob, Influencer, Post, Stopword
from influencers.services.summaries import influencer_summaries_schedule, influencer_summary_rebuild
from tests.conftest import jpeg_bytes
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db


def test_a_summary_has_top_keywords_a_word_cloud_and_the_sponsored_share():
    influencer = InfluencerFactory()
    captions = ["#원피스 코디 카페 나들이 #협찬", "원피스 트렌치코트 출근룩", "카페 원피스 #광고"]
    for n, caption in enumerate(captions):
        Post.objects.create(
            influencer=influencer,
            instagram_id=f"s{n}",
            caption=caption,
            is_sponsored="#협찬" in caption or "#광고" in caption,
        )
    influencer = influencer_summary_rebuild(influencer_id=influencer.pk)
    words = dict(influencer.keywords)
    assert words["원피스"] == 3 and "협찬" not in words and "광고" not in words
    assert influencer.wordcloud.name.endswith(".png")
    assert influencer.wordcloud.read(8) == b"\x89PNG\r\n\x1a\n"
    assert influencer.sponsored_share == pytest.approx(2 / 3)


def test_staff_stopwords_apply_on_the_next_rebuild():
    influencer = InfluencerFactory()
    Post.objects.create(influencer=influencer, instagram_id="w1", caption="원피스 카페 카페")
    Stopword.objects.create(word="카페")
    influencer = influencer_summary_rebuild(influencer_id=influencer.pk)
    assert [w for w, _ in influencer.keywords] == ["원피스"]


def test_an_influencer_without_text_gets_a_clear_no_keywords_state():
    influencer = InfluencerFactory()
    Post.objects.create(influencer=influencer, instagram_id="e1", caption="😍😍 🔥")
    influencer = influencer_summary_rebuild(influencer_id=influencer.pk)
    assert influencer.keywords == [] and not influencer.wordcloud
    assert influencer.summary_updated_at is not None


def test_fifty_post_changes_in_one_burst_queue_one_rebuild(django_capture_on_commit_callbacks):
    influencer = InfluencerFactory()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        with transaction.atomic():
            scheduled = 0
            for n in range(50):
                Post.objects.create(
                    influencer=influencer, instagram_id=f"b{n}", caption=f"원피스 코디 {n}"
                )
                scheduled += influencer_summaries_schedule(influencer_ids=[influencer.pk])
    assert scheduled == 1 and len(queued) == 1
    influencer.refresh_from_db()
    assert dict(influencer.keywords)["원피스"] == 50  # the one rebuild saw every change
    assert influencer.summary_queued_at is None


def test_a_change_after_the_rebuild_started_schedules_another(django_capture_on_commit_callbacks):
    influencer = InfluencerFactory()
    rebuilds = []
    for n in range(2):
        Post.objects.create(influencer=influencer, instagram_id=f"a{n}", caption="트렌치코트")
        with django_capture_on_commit_callbacks(execute=True) as queued:
            influencer_summaries_schedule(influencer_ids=[influencer.pk])
        rebuilds += queued
        influencer.refresh_from_db()
        assert dict(influencer.keywords)["트렌치코트"] == n + 1
    assert len(rebuilds) == 2


def test_a_rebuild_queued_while_the_broker_was_down_is_requeued_by_the_reconciler(
    settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from influencers.services.summaries import influencer_summaries_reconcile

    influencer, waiting = InfluencerFactory(), InfluencerFactory()
    Post.objects.create(influencer=influencer, instagram_id="r1", caption="원피스")
    deadline = settings.BACKGROUND_JOBS["summary"]["deadline"]
    lost = timezone.now() - timezone.timedelta(seconds=deadline + 5)
    Influencer.objects.filter(pk=influencer.pk).update(summary_queued_at=lost)
    Influencer.objects.filter(pk=waiting.pk).update(summary_queued_at=timezone.now())
    assert influencer_summaries_reconcile() == 1  # only the stuck one, not the one waiting
    influencer.refresh_from_db()
    assert dict(influencer.keywords) == {"원피스": 1} and influencer.summary_queued_at is None


def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def test_the_admin_import_page_is_staff_only(client):
    client.force_login(UserFactory())
    assert client.get("/admin/influencers/influencer/import/").status_code == 302
    assert client.post("/admin/influencers/influencer/import/", {}).status_code == 302


def test_the_admin_import_runs_the_import_service_and_reports_progress(
    client, django_capture_on_commit_callbacks
):
    client.force_login(staff())
    images = io.BytesIO()
    with zipfile.ZipFile(images, "w") as zf:
        zf.writestr("p1.jpg", jpeg_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/influencers/influencer/import/",
            {
                "posts_file": SimpleUploadedFile(
                    "posts.csv",
                    (
                        "user_name,post_id,text,timestamp,like,video\n"
                        "adm,p1,글,2024-01-01,3,false\nadm,p2,글,2024-01-01,abc,false\n"
                    ).encode(),
                ),
                "influencers_file": SimpleUploadedFile(
                    "people.csv", b"user_name,gender,size\nadm,F,M\n"
                ),
                "images_zip": SimpleUploadedFile("images.zip", images.getvalue()),
                "format": "crawl",
            },
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/import/{job.pk}/")
    assert (job.status, job.processed_rows, job.total_rows) == ("done", 1, 1)
    assert job.report["posts_created"] == 1 and job.report["errors"][0]["column"] == "like"
    page = client.get(response.url).content.decode()
    assert "like" in page and "abc" in page
    assert Post.objects.get(instagram_id="p1").image


def test_the_import_api_is_staff_only_and_answers_202(client, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    data = {
        "posts_file": SimpleUploadedFile("p.csv", b"user_name,post_id,text,timestamp,like,video\n"),
        "format": "crawl",
    }
    api = APIClient()
    api.force_authenticate(UserFactory())
    assert api.post("/api/v1/imports/", data, format="multipart").status_code == 403
    api.force_authenticate(staff())
    data["posts_file"].seek(0)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", data, format="multipart")
    assert response.status_code == 202
    job = api.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (job["status"], job["report"]["posts_created"]) == ("done", 0)


def test_admin_actions_activate_and_deactivate(client):
    client.force_login(staff())
    a, b = InfluencerFactory(), InfluencerFactory()
    client.post(
        "/admin/influencers/influencer/", {"action": "deactivate", "_selected_action": [a.pk, b.pk]}
    )
    assert not Influencer.objects.filter(is_active=True).exists()
    client.post(
        "/admin/influencers/influencer/", {"action": "activate", "_selected_action": [a.pk]}
    )
    assert list(Influencer.objects.filter(is_active=True)) == [a]


def test_the_admin_search_finds_by_handle_and_the_change_page_lists_the_posts(client):
    client.force_login(staff())
    wanted = InfluencerFactory(handle="minji.ootd")
    other = InfluencerFactory(handle="street_daily")
    classified_post(wanted, "romantic", 120, instagram_id="romantic-post-1")
    listing = client.get("/admin/influencers/influencer/?q=minji").content.decode()
    assert "minji.ootd" in listing and "street_daily" not in listing
    page = client.get(f"/admin/influencers/influencer/{wanted.pk}/change/").content.decode()
    assert "romantic-post-1" in page and "로맨틱" in page
    assert other.handle not in page


def test_the_admin_reclassify_action_classifies_the_posts_with_the_active_model(
    client, active_model, django_capture_on_commit_callbacks
):
    client.force_login(staff())
    influencer = InfluencerFactory()
    name = default_storage.save("posts/r.jpg", ContentFile(jpeg_bytes()))
    post = Post.objects.create(
        influencer=influencer, instagram_id="re1", image=name, classification_status="done"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/influencers/influencer/",
            {"action": "reclassify", "_selected_action": [influencer.pk]},
        )
    post.refresh_from_db()
    assert post.classification_status == "done" and post.model_version == active_model
    assert post.predicted_style and post.classification_queued_at is not None


def test_the_model_version_list_shows_the_reclassification_progress(client, active_model):
    from recommender.services.reclassification import reclassification_start

    client.force_login(staff())
    influencer = InfluencerFactory()
    for _ in range(2):
        classified_post(influencer, "resort", 10)
    run = reclassification_start(model_version_id=active_model.pk, queue=False)
    run.__class__.objects.filter(pk=run.pk).update(done=1)
    page = client.get("/admin/recommender/modelversion/").content.decode()
    assert "1 / 2 (50.0%)" in page
    runs = client.get("/admin/recommender/reclassificationrun/").content.decode()
    assert "1 / 2 (50.0%)" in runs


def test_loading_the_demo_catalogue_twice_leaves_the_same_catalogue(
    active_model, django_capture_on_commit_callbacks
):
    from influencers.demo import DEMO_PREFIX, demo_catalogue_load

    with django_capture_on_commit_callbacks(execute=True):
        first = demo_catalogue_load(influencers=3)
    snapshot = sorted(Post.objects.values_list("instagram_id", "caption", "likes", "image_sha256"))
    profiles = sorted(Influencer.objects.values_list("handle", "consumer_style", "total_likes"))
    with django_capture_on_commit_callbacks(execute=True):
        second = demo_catalogue_load(influencers=3)
    assert first["posts_created"] > 60 and first["influencers_created"] == 3
    assert (second["posts_created"], second["posts_updated"]) == (0, 0)
    assert second["posts_unchanged"] == first["posts_created"]
    assert sorted(Post.objects.values_list("instagram_id", "caption", "likes", "image_sha256")) == (
        snapshot
    )
    assert sorted(Influencer.objects.values_list("handle", "consumer_style", "total_likes")) == (
        profiles
    )
    assert all(i.is_demo and i.handle.startswith(DEMO_PREFIX) for i in Influencer.objects.all())
    assert Post.objects.filter(classification_status="done").exists()


def test_the_import_job_page_refreshes_while_the_job_runs_and_stops_when_it_ends(client):
    client.force_login(staff())
    job = ImportJob.objects.create(source_name="posts.csv", format="crawl", status="running")
    url = f"/admin/influencers/influencer/import/{job.pk}/"
    assert 'http-equiv="refresh"' in client.get(url).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(
        status="failed", error="The import stopped: its worker ended after 0 of 0 rows."
    )
    page = client.get(url).content.decode()
    assert 'http-equiv="refresh"' not in page and "its worker ended" in page
