"""Catalogue re-classification: one streamed, resumable run per activation (in-process)."""

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.vectors import vector_from_bytes
from influencers.models import ClassificationStatus, Influencer, Post
from recommender.models import ReclassificationRun
from recommender.services.classification import posts_results_store
from recommender.services.reclassification import (
    reclassification_process,
    reclassification_reconcile,
    reclassification_start,
)
from recommender.services.registry import model_version_register
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db
RunStatus = ReclassificationRun.Status
BATCH = 4


@pytest.fixture
def small_batches(settings):
    settings.CLASSIFY_DEVICE_BATCH_SIZE = {**settings.CLASSIFY_DEVICE_BATCH_SIZE, "cpu": BATCH}


@pytest.fixture
def catalogue(shared_data):
    """18 real K-Fashion photos over 3 influencers, one corrupt file and one post without image."""
    photos = sorted((shared_data / "kfashion-sample").rglob("*.jpg"))[:18]
    influencers = [InfluencerFactory(handle=f"re_{n}") for n in range(3)]
    for n, photo in enumerate(photos):
        name = default_storage.save(f"posts/{photo.name}", ContentFile(photo.read_bytes()))
        Post.objects.create(influencer=influencers[n % 3], instagram_id=f"k{n}", image=name)
    corrupt = default_storage.save("posts/corrupt.jpg", ContentFile(b"\xff\xd8\xff not a jpeg"))
    Post.objects.create(influencer=influencers[0], instagram_id="corrupt", image=corrupt)
    Post.objects.create(
        influencer=influencers[1],
        instagram_id="noimage",
        classification_status=ClassificationStatus.UNCLASSIFIABLE,
        predicted_style="no_image",
    )
    return influencers


def register(tiny_checkpoint, name="tiny"):
    return model_version_register(checkpoint_path=tiny_checkpoint, name=name)


def test_activation_streams_the_catalogue_in_keyset_pages_and_stores_every_result(
    catalogue, tiny_checkpoint, small_batches
):
    version = register(tiny_checkpoint)
    run = reclassification_start(model_version_id=version.pk, queue=False)
    assert (run.total, run.done, run.status) == (19, 0, RunStatus.PENDING)
    seen = []
    with CaptureQueriesContext(connection) as queries:
        run = reclassification_process(run_id=run.pk, on_batch=lambda r: seen.append(r.done))
    assert run.status == RunStatus.DONE and (run.done, run.total) == (19, 19)
    assert (run.classified, run.unclassifiable) == (18, 1)
    assert seen == [4, 8, 12, 16, 19]  # one stored batch at a time, never the whole catalogue
    post_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and '"influencers_post"."id" >' in q["sql"]
    ]
    assert len(post_reads) == 6 and all(f"LIMIT {BATCH}" in sql for sql in post_reads)
    done = Post.objects.filter(classification_status=ClassificationStatus.DONE)
    assert done.count() == 18 and set(done.values_list("model_version", flat=True)) == {version.pk}
    assert all(p.embedding and p.predicted_style for p in done)
    corrupt = Post.objects.get(instagram_id="corrupt")
    assert corrupt.classification_status == ClassificationStatus.UNCLASSIFIABLE
    assert corrupt.unclassifiable_reason.startswith("corrupt image")
    assert Post.objects.get(instagram_id="noimage").predicted_style == "no_image"
    for influencer in Influencer.objects.all():
        assert influencer.classified_post_count == influencer.post_count
        assert influencer.consumer_style and influencer.embedding_centroid


def test_each_touched_profile_is_rebuilt_once_per_batch(catalogue, tiny_checkpoint, small_batches):
    version = register(tiny_checkpoint)
    run = reclassification_start(model_version_id=version.pk, queue=False)
    with CaptureQueriesContext(connection) as queries:
        reclassification_process(run_id=run.pk)
    profile_writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "influencers_influencer"')
        and "profile_updated_at" in q["sql"]
    ]
    # Posts alternate between the 3 influencers: every batch of 4 touches all 3 (the last, of 3
    # posts, too), so 5 batches rebuild 15 profiles, not one per post (19).
    assert len(profile_writes) == 15


def test_a_run_killed_after_a_batch_resumes_from_its_cursor_and_redoes_nothing(
    catalogue, tiny_checkpoint, small_batches
):
    version = register(tiny_checkpoint)
    run = reclassification_start(model_version_id=version.pk, queue=False)

    def crash(r):
        raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        reclassification_process(run_id=run.pk, on_batch=crash)
    run.refresh_from_db()
    assert (run.status, run.done) == (RunStatus.RUNNING, BATCH)
    first_batch = dict(
        Post.objects.filter(pk__lte=run.last_post_id).values_list("pk", "classified_at")
    )
    # A live-looking run is no one else's; its own redelivered message may take it back.
    assert reclassification_process(run_id=run.pk) is None
    run = reclassification_process(run_id=run.pk, previous_run_lost=True)
    assert run.status == RunStatus.DONE and run.done == 19
    assert first_batch == dict(
        Post.objects.filter(pk__in=first_batch).values_list("pk", "classified_at")
    )


def test_the_reconciler_queues_only_runs_silent_past_the_deadline(
    catalogue, tiny_checkpoint, small_batches, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    version = register(tiny_checkpoint)
    run = reclassification_start(model_version_id=version.pk, queue=False)
    assert reclassification_reconcile() == 0  # just started: not stuck
    deadline = settings.BACKGROUND_JOBS["reclassification"]["deadline"]
    ReclassificationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now() - timezone.timedelta(seconds=deadline + 1),
    )
    assert reclassification_reconcile() == 1  # in-process: the queued task ran it to the end
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.done == 19
    assert reclassification_reconcile() == 0


def test_a_newer_activation_supersedes_the_open_run_and_its_batch_is_not_stored(
    catalogue, tiny_checkpoint, small_batches, tmp_path
):
    from mlcore.model import StyleCheckpoint

    version = register(tiny_checkpoint)
    run = reclassification_start(model_version_id=version.pk, queue=False)
    other_path = tmp_path / "other.pt"
    checkpoint = StyleCheckpoint.load(tiny_checkpoint)
    checkpoint.trained_on = "another file"
    checkpoint.save(other_path)
    newer = register(other_path, name="newer")

    def activate_newer(r):
        if r.done == BATCH:
            reclassification_start(model_version_id=newer.pk, queue=False)

    assert reclassification_process(run_id=run.pk, on_batch=activate_newer) is None
    run.refresh_from_db()
    assert run.status == RunStatus.SUPERSEDED and run.done == BATCH  # the second batch rolled back
    assert Post.objects.filter(model_version=version).count() == BATCH


def test_a_post_whose_image_was_replaced_meanwhile_keeps_waiting_instead_of_the_old_result(
    catalogue, tiny_checkpoint
):
    from recommender.services.classifiers import classifier_for

    version = register(tiny_checkpoint)
    post = Post.objects.exclude(image="").exclude(instagram_id="corrupt").first()
    read = Post(pk=post.pk, image=post.image.name, influencer_id=post.influencer_id)
    (result,) = classifier_for(version).predict([post.image.path])
    Post.objects.filter(pk=post.pk).update(image="posts/replaced.jpg")  # staff replaced it
    posts_results_store(version=version, results=[(read, result)])
    post.refresh_from_db()
    assert post.classification_status == ClassificationStatus.PENDING
    assert post.embedding is None and post.predicted_style == ""


def test_reclassify_command_shows_periodic_lines_without_a_terminal(
    catalogue, tiny_checkpoint, small_batches, monkeypatch
):
    from recommender.services.registry import model_version_activate

    version = register(tiny_checkpoint)
    model_version_activate(model_version_id=version.pk, reclassify=False)
    stderr, stdout = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)  # a pipe, as under a scheduler: no bar
    call_command("reclassify", "--progress", stdout=stdout)
    lines = stderr.getvalue().splitlines()
    assert lines[0] == "re-classify: 4 / 19 posts (21.1%)"
    assert lines[-1] == "re-classify: 19 / 19 posts (100.0%)"
    assert "\r" not in stderr.getvalue()
    assert "19 / 19 posts, 18 classified, 1 cannot be classified" in stdout.getvalue()


def test_reclassify_command_without_an_active_model_says_so(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No style model is active"):
        call_command("reclassify")


def test_a_batch_left_running_by_its_own_earlier_attempt_is_claimed_again_on_retry(
    catalogue, tiny_checkpoint
):
    from recommender.services.classification import posts_classify_batch
    from recommender.services.registry import model_version_activate

    version = register(tiny_checkpoint)
    model_version_activate(model_version_id=version.pk, reclassify=False)
    ids = list(Post.objects.filter(instagram_id__in=["k0", "k1"]).values_list("pk", flat=True))
    Post.objects.filter(pk__in=ids).update(classification_status=ClassificationStatus.RUNNING)
    assert posts_classify_batch(post_ids=ids, model_version_id=version.pk)["classified"] == 0
    counts = posts_classify_batch(post_ids=ids, model_version_id=version.pk, previous_run_lost=True)
    assert counts == {"classified": 2, "unclassifiable": 0}
    assert set(Post.objects.filter(pk__in=ids).values_list("classification_status", flat=True)) == {
        ClassificationStatus.DONE
    }


def test_a_carousel_post_gets_the_mean_of_its_images_even_across_batches(
    catalogue, tiny_checkpoint, small_batches, shared_data
):
    from influencers.models import PostImage
    from mlcore.inference import predictions_mean
    from recommender.services.classifiers import classifier_for

    # k1 (the second post, so its images straddle the first batch of 4) gets 4 more images.
    post = Post.objects.get(instagram_id="k1")
    extras = sorted((shared_data / "kfashion-sample").rglob("*.jpg"))[40:44]
    for position, photo in enumerate(extras, start=2):
        name = default_storage.save(f"posts/{photo.name}", ContentFile(photo.read_bytes()))
        PostImage.objects.create(post=post, position=position, image=name)
    version = register(tiny_checkpoint)
    run = reclassification_process(
        run_id=reclassification_start(model_version_id=version.pk, queue=False).pk
    )
    assert run.done == 19 and run.classified == 18
    expected = predictions_mean(
        classifier_for(version).predict(
            [post.image.path, *(Path(default_storage.path(f"posts/{p.name}")) for p in extras)]
        )
    )
    post.refresh_from_db()
    assert post.predicted_style == expected.top_style
    np.testing.assert_allclose(
        vector_from_bytes(post.style_probabilities), expected.probabilities, atol=1e-5
    )
