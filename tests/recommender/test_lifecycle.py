import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.errors import ApplicationError, RateLimitedError
from common.uploads import ImageRejected
from recommender.constants import RefusalCode
from recommender.models import RecommendationRequest
from recommender.services import requests as services
from tests.conftest import jpeg_bytes, media_files
from tests.factories import InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db
Status = RecommendationRequest.Status


def upload(name="look.jpg", data=None):
    return SimpleUploadedFile(name, data or jpeg_bytes(size=(120, 160)), content_type="image/jpeg")


@pytest.fixture
def small_catalogue():
    from influencers.services.profiles import influencer_style_profile_rebuild

    for n, style in enumerate(["romantic", "resort", "street", "modern"]):
        influencer = InfluencerFactory(handle=f"cat_{n}", gender="F", body_size="M")
        for _ in range(3):
            classified_post(influencer, style, 100 + n)
        influencer_style_profile_rebuild(influencer_id=influencer.pk)


def test_a_request_goes_from_pending_to_done_with_both_rankings_stored(
    consumer, active_model, small_catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.recommendation_create(
            user=consumer, image=upload(), gender="F", body_size="M"
        )
    request.refresh_from_db()
    assert request.status == Status.DONE, request.failure_reason
    assert request.mode == "consumer" and (request.gender, request.body_size) == ("F", "M")
    assert request.model_version == active_model and "demo" in request.model_label
    assert set(request.results) == {"similarity", "original"}
    assert len(request.results["similarity"]["cards"]) == 3
    assert request.style_distribution and 0 < request.confidence <= 1
    assert request.attempts == 1


def test_the_snapshot_survives_catalogue_changes(
    consumer, active_model, small_catalogue, django_capture_on_commit_callbacks
):
    from influencers.models import Influencer

    with django_capture_on_commit_callbacks(execute=True):
        request = services.recommendation_create(user=consumer, image=upload())
    request.refresh_from_db()
    handles = [c["handle"] for c in request.shown_results["cards"]]
    Influencer.objects.all().delete()
    request.refresh_from_db()
    assert [c["handle"] for c in request.shown_results["cards"]] == handles


def test_a_request_without_an_active_model_fails_with_a_readable_reason(
    consumer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.recommendation_create(user=consumer, image=upload())
    request.refresh_from_db()
    assert request.status == Status.FAILED
    assert "No style model is active" in request.failure_reason


def test_a_request_whose_image_vanished_fails_with_a_reason(
    consumer, active_model, django_capture_on_commit_callbacks
):
    request = services.recommendation_create(user=consumer, image=upload())
    request.image.storage.delete(request.image.name)
    services.recommendation_process(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.FAILED and request.failure_reason


def test_processing_twice_leaves_one_result(consumer, active_model, small_catalogue):
    request = services.recommendation_create(user=consumer, image=upload())
    assert services.recommendation_process(request_id=request.pk) is not None
    finished = RecommendationRequest.objects.get(pk=request.pk).finished_at
    assert services.recommendation_process(request_id=request.pk) is None
    again = RecommendationRequest.objects.get(pk=request.pk)
    assert again.finished_at == finished and again.attempts == 1


def test_a_brand_that_gives_no_gender_or_size_asks_for_any(brand):
    request = services.recommendation_create(user=brand, image=upload())
    assert (request.mode, request.gender, request.body_size) == ("brand", "", "")


def test_a_consumer_that_gives_no_gender_or_size_asks_for_any_not_their_own(consumer):
    assert (consumer.gender, consumer.body_size) != ("", "")
    request = services.recommendation_create(user=consumer, image=upload())
    assert (request.gender, request.body_size) == ("", "")


@pytest.mark.parametrize("filters", [{"gender": "X"}, {"body_size": "XL"}, {"gender": "f"}])
def test_a_gender_or_size_outside_the_choices_is_refused_and_nothing_is_stored(
    brand, settings, filters
):
    with pytest.raises(ApplicationError) as info:
        services.recommendation_create(user=brand, image=upload(), **filters)
    assert info.value.code == RefusalCode.INVALID_FILTERS == "invalid_filters"
    assert not RecommendationRequest.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []


def test_a_rejected_upload_leaves_no_row_and_no_file(consumer, settings):
    with pytest.raises(ImageRejected):
        services.recommendation_create(user=consumer, image=upload("x.php", jpeg_bytes()))
    assert not RecommendationRequest.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []


def test_the_upload_after_the_rate_limit_is_refused(consumer, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "uploads": "2/hour",
    }
    services.recommendation_create(user=consumer, image=upload())
    services.recommendation_create(user=consumer, image=upload())
    with pytest.raises(RateLimitedError) as info:
        services.recommendation_create(user=consumer, image=upload())
    assert info.value.retry_after > 0
    assert RecommendationRequest.objects.count() == 2


def test_the_reconciler_requeues_a_request_stuck_running(
    consumer, active_model, small_catalogue, settings
):
    request = services.recommendation_create(user=consumer, image=upload())
    stale = timezone.now() - timezone.timedelta(
        seconds=settings.BACKGROUND_JOBS["recommendation"]["deadline"] + 5
    )
    RecommendationRequest.objects.filter(pk=request.pk).update(
        status=Status.RUNNING, claimed_at=stale, attempts=1
    )
    counts = services.recommendation_reconcile()
    assert counts == {"requeued": 1, "failed": 0}
    request.refresh_from_db()
    assert request.status == Status.DONE  # eager: the re-queued task ran
    assert request.attempts == 2


def test_the_reconciler_fails_a_request_after_its_last_attempt(consumer, settings):
    request = services.recommendation_create(user=consumer, image=upload())
    stale = timezone.now() - timezone.timedelta(
        seconds=settings.BACKGROUND_JOBS["recommendation"]["deadline"] + 5
    )
    RecommendationRequest.objects.filter(pk=request.pk).update(
        status=Status.RUNNING, claimed_at=stale, attempts=settings.RECOMMENDATION_MAX_ATTEMPTS
    )
    assert services.recommendation_reconcile() == {"requeued": 0, "failed": 1}
    request.refresh_from_db()
    assert request.status == Status.FAILED and "several attempts" in request.failure_reason


def test_deleting_removes_the_row_and_its_file(
    consumer, settings, django_capture_on_commit_callbacks
):
    request = services.recommendation_create(user=consumer, image=upload())
    assert media_files(settings.MEDIA_ROOT)
    with django_capture_on_commit_callbacks(execute=True):
        services.recommendation_delete(user=consumer, request_id=request.pk)
    assert not RecommendationRequest.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []


def test_int8_is_served_only_within_tolerance_with_calibration_images_and_the_label_says_which(
    active_model, consumer, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from influencers.models import Post
    from recommender.services.classifiers import classifier_cache_clear, classifier_for, model_label

    classifier_cache_clear()
    active_model.metrics = {**active_model.metrics, "val_top1": 0.60, "val_top1_int8": 0.55}
    assert not active_model.int8_within_tolerance
    active_model.metrics["val_top1_int8"] = 0.595
    assert active_model.int8_within_tolerance
    active_model.save(update_fields=["metrics"])
    classifier = classifier_for(active_model)
    assert classifier.quantized is False  # no catalogue images to calibrate on yet: fp32
    assert "fp32" in model_label(active_model, quantized=classifier.quantized)

    influencer = InfluencerFactory()
    for n in range(4):
        name = default_storage.save("posts/c.jpg", ContentFile(jpeg_bytes(color=(40 * n, 90, 160))))
        Post.objects.create(influencer=influencer, instagram_id=f"cal{n}", image=name)
    classifier_cache_clear()
    assert classifier_for(active_model).quantized is True
    with django_capture_on_commit_callbacks(execute=True):
        request = services.recommendation_create(user=consumer, image=upload())
    request.refresh_from_db()
    assert request.status == Status.DONE
    assert "int8" in request.model_label and "fp32" not in request.model_label
    classifier_cache_clear()


def test_a_failure_is_stored_as_a_code_and_shown_in_the_readers_language(
    client, consumer, django_capture_on_commit_callbacks
):
    """Walkthrough (issue 18): a failed request showed its English reason in the Korean UI."""
    from django.utils import translation

    from recommender.models import FailureCode

    with django_capture_on_commit_callbacks(execute=True):
        request = services.recommendation_create(user=consumer, image=upload())
    request.refresh_from_db()
    assert request.failure_code == FailureCode.NO_MODEL
    client.force_login(consumer)
    for language in ("ko", "en"):
        client.cookies["django_language"] = language
        html = client.get(f"/recommendations/{request.pk}/result/").content.decode()
        with translation.override(language):
            assert str(FailureCode.NO_MODEL.label) in html
    with translation.override("ko"):
        assert request.failure_message != request.failure_reason  # translated, not stored text
    body = client.get(f"/api/v1/recommendations/{request.pk}/").json()
    assert body["failure_code"] == "no_model"


def test_the_queue_down_note_is_shown_in_the_readers_language(client, consumer):
    from django.utils import translation

    request = services.recommendation_create(user=consumer, image=upload())
    RecommendationRequest.objects.filter(pk=request.pk).update(
        status_message=services.QUEUE_DOWN_MESSAGE
    )
    client.force_login(consumer)
    html = client.get(f"/recommendations/{request.pk}/result/").content.decode()
    with translation.override("ko"):
        korean = translation.gettext(services.QUEUE_DOWN_MESSAGE)
    assert korean != services.QUEUE_DOWN_MESSAGE and korean in html
