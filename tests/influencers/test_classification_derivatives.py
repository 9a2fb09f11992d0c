"""Post images keep a small derivative that every classification after the first reads, and it
goes wherever its original goes (no file outlives its row)."""

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from common.vectors import vector_from_bytes
from influencers.models import ClassificationStatus, Post, PostImage
from influencers.services.curation import post_saved_by_staff
from influencers.services.derivatives import derivative_name
from mlcore.images import classification_derivative
from recommender.services.classification import posts_classify_batch
from recommender.services.classifiers import classifier_for
from recommender.services.reclassification import reclassification_process, reclassification_start
from recommender.services.registry import model_version_register
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def photos(shared_data) -> list[bytes]:
    return [p.read_bytes() for p in sorted((shared_data / "kfashion-original").rglob("*.jpg"))[:3]]


@pytest.fixture
def full_size_model(full_size_checkpoint):
    return model_version_register(checkpoint_path=full_size_checkpoint, name="full", activate=True)


def stored_post(influencer, instagram_id: str, data: bytes) -> Post:
    name = default_storage.save(f"posts/{instagram_id}.jpg", ContentFile(data))
    return Post.objects.create(influencer=influencer, instagram_id=instagram_id, image=name)


def classify(posts, version) -> None:
    posts_classify_batch(post_ids=[p.pk for p in posts], model_version_id=version.pk)
    for post in posts:
        post.refresh_from_db()


def test_the_first_classification_stores_the_derivative_and_later_ones_read_only_it(
    photos, full_size_model
):
    influencer = InfluencerFactory()
    posts = [stored_post(influencer, f"d{n}", photo) for n, photo in enumerate(photos)]
    classify(posts, full_size_model)
    classifier = classifier_for(full_size_model)
    for post in posts:
        small = default_storage.open(derivative_name(post.image.name)).read()
        assert len(small) < default_storage.size(post.image.name) / 2
        (expected,) = classifier.predict([small])  # what is stored is the derivative's result
        assert post.classification_status == ClassificationStatus.DONE
        np.testing.assert_allclose(
            vector_from_bytes(post.style_probabilities),
            expected.probabilities,
            rtol=1e-5,
            atol=1e-6,
        )
    # Re-classification reads the derivatives alone: with the originals gone it still works.
    before = {p.pk: vector_from_bytes(p.style_probabilities) for p in posts}
    for post in posts:
        default_storage.delete(post.image.name)
    run = reclassification_start(model_version_id=full_size_model.pk, queue=False)
    assert reclassification_process(run_id=run.pk).classified == len(posts)
    for post in posts:
        post.refresh_from_db()
        assert post.classification_status == ClassificationStatus.DONE
        np.testing.assert_allclose(vector_from_bytes(post.style_probabilities), before[post.pk])


def test_a_half_written_derivative_is_made_again_not_taken_for_a_corrupt_image(
    photos, full_size_model
):
    post = stored_post(InfluencerFactory(), "half", photos[0])
    whole = classification_derivative(photos[0], short_side=256)
    # What a worker killed mid-write leaves behind (local storage writes in place).
    default_storage.save(derivative_name(post.image.name), ContentFile(whole[: len(whole) // 2]))
    classify([post], full_size_model)
    assert post.classification_status == ClassificationStatus.DONE
    assert default_storage.open(derivative_name(post.image.name)).read() == whole
    (expected,) = classifier_for(full_size_model).predict([whole])
    np.testing.assert_allclose(
        vector_from_bytes(post.style_probabilities), expected.probabilities, rtol=1e-5, atol=1e-6
    )


def test_a_model_of_another_input_size_reads_originals_and_stores_nothing(photos, tiny_checkpoint):
    version = model_version_register(checkpoint_path=tiny_checkpoint, name="tiny", activate=True)
    post = stored_post(InfluencerFactory(), "tiny", photos[0])
    classify([post], version)
    assert post.classification_status == ClassificationStatus.DONE
    assert not default_storage.exists(derivative_name(post.image.name))
    (expected,) = classifier_for(version).predict([default_storage.open(post.image.name).read()])
    np.testing.assert_allclose(
        vector_from_bytes(post.style_probabilities), expected.probabilities, rtol=1e-5, atol=1e-6
    )


def test_a_corrupt_image_gets_its_reason_and_no_derivative(full_size_model):
    post = stored_post(InfluencerFactory(), "bad", b"\xff\xd8\xff not a jpeg")
    classify([post], full_size_model)
    assert post.classification_status == ClassificationStatus.UNCLASSIFIABLE
    assert post.unclassifiable_reason.startswith("corrupt image")
    assert not default_storage.exists(derivative_name(post.image.name))


def test_derivatives_go_with_their_posts_images_and_influencers(
    photos, full_size_model, django_capture_on_commit_callbacks
):
    influencer = InfluencerFactory()
    cover, replaced, kept = (stored_post(influencer, f"g{n}", photos[n]) for n in range(3))
    extra_name = default_storage.save("posts/g0_2.jpg", ContentFile(photos[1]))
    extra = PostImage.objects.create(post=cover, position=2, image=extra_name)
    classify([cover, replaced, kept], full_size_model)
    files = {p.image.name: derivative_name(p.image.name) for p in (cover, replaced, kept)} | {
        extra_name: derivative_name(extra_name)
    }
    assert all(default_storage.exists(d) for d in files.values())  # the carousel's too

    # Staff replace an image: the old file and its derivative go once the edit commits.
    old = replaced.image.name
    replaced.image = SimpleUploadedFile("new.jpg", photos[0])
    with django_capture_on_commit_callbacks(execute=True):
        post_saved_by_staff(post=replaced, previous_image=old)
    assert not default_storage.exists(old) and not default_storage.exists(files[old])

    # A carousel image deleted, then a post, then the whole influencer.
    with django_capture_on_commit_callbacks(execute=True):
        extra.delete()
    assert not default_storage.exists(extra_name) and not default_storage.exists(files[extra_name])
    with django_capture_on_commit_callbacks(execute=True):
        cover.delete()
    gone = cover.image.name
    assert not default_storage.exists(gone) and not default_storage.exists(files[gone])
    assert default_storage.exists(files[kept.image.name])
    with django_capture_on_commit_callbacks(execute=True):
        influencer.delete()
    assert not default_storage.exists(kept.image.name)
    assert not default_storage.exists(files[kept.image.name])


def test_one_file_storage_fails_to_delete_does_not_keep_the_others(
    photos, monkeypatch, django_capture_on_commit_callbacks
):
    influencer = InfluencerFactory()
    first, second = (stored_post(influencer, f"s{n}", photos[n]) for n in range(2))
    real_delete = default_storage.delete

    def flaky_delete(name):  # the bucket refuses one request, as S3 now and then does
        if name == first.image.name:
            raise OSError("503 Slow Down")
        real_delete(name)

    monkeypatch.setattr(default_storage, "delete", flaky_delete)
    with django_capture_on_commit_callbacks(execute=True):
        influencer.delete()
    assert not Post.objects.exists()  # the deletion itself committed
    assert default_storage.exists(first.image.name)
    assert not default_storage.exists(second.image.name)
