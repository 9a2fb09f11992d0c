"""Honest about the model (issue 25): a demo model's result shows no confidence percentage and
admin shows no validation accuracy for it; admin shows confidences as percentages."""

import pytest
from django.test import Client

from influencers.models import Post
from recommender.models import ReclassificationRun
from tests.factories import InfluencerFactory, UserFactory, classified_post
from tests.recommender.test_result_honesty import done_request, in_language

pytestmark = pytest.mark.django_db


def test_a_demo_models_result_shows_no_confidence_percentage(client, consumer, active_model):
    request = done_request(
        consumer, "sexy", mode="consumer", model_version=active_model, confidence=1.0
    )
    client.force_login(consumer)
    korean = in_language(client, "ko").get(f"/recommendations/{request.pk}/").content.decode()
    assert "확신도" not in korean and "100%" not in korean
    assert "의미가 없습니다" in korean  # the demo notice stays
    english = in_language(client, "en").get(f"/recommendations/{request.pk}/").content.decode()
    assert "confidence 100%" not in english and "100%" not in english


def test_a_real_models_result_shows_its_confidence(client, consumer, active_model):
    active_model.is_demo = False
    active_model.save()
    request = done_request(
        consumer, "romantic", mode="consumer", model_version=active_model, confidence=0.87
    )
    client.force_login(consumer)
    page = in_language(client, "en").get(f"/recommendations/{request.pk}/").content.decode()
    assert "confidence 87%" in page


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_shows_no_validation_accuracy_for_a_demo_model(staff_client, active_model):
    accuracy = f"{active_model.validation_accuracy:.1%}"
    listing = staff_client.get("/admin/recommender/modelversion/").content.decode()
    assert "의미 없음 (데모 모델)" in listing and accuracy not in listing
    page = staff_client.get(
        f"/admin/recommender/modelversion/{active_model.pk}/change/"
    ).content.decode()
    assert "val_top1" not in page and accuracy not in page
    active_model.is_demo = False
    active_model.save()
    assert accuracy in staff_client.get("/admin/recommender/modelversion/").content.decode()


def test_admin_shows_confidence_as_a_percentage(staff_client, consumer):
    request = done_request(consumer, "romantic", mode="consumer", confidence=0.8734)
    post = classified_post(InfluencerFactory(), "romantic", 3)
    Post.objects.filter(pk=post.pk).update(style_confidence=0.625)
    assert "87.3%" in staff_client.get("/admin/recommender/recommendationrequest/").content.decode()
    assert (
        "87.3%"
        in staff_client.get(
            f"/admin/recommender/recommendationrequest/{request.pk}/change/"
        ).content.decode()
    )
    assert "62.5%" in staff_client.get("/admin/influencers/post/").content.decode()
    assert (
        "62.5%" in staff_client.get(f"/admin/influencers/post/{post.pk}/change/").content.decode()
    )
    assert Post.objects.get(pk=post.pk).style_confidence == pytest.approx(0.625)


def test_an_empty_reclassification_run_says_there_was_nothing_to_do(staff_client, active_model):
    ReclassificationRun.objects.create(
        model_version=active_model, status=ReclassificationRun.Status.DONE, total=0, done=0
    )
    listing = staff_client.get("/admin/recommender/reclassificationrun/").content.decode()
    assert "다시 분류할 게시물 없음" in listing
    assert "0 / 0" not in listing and "100.0%" not in listing


def test_the_korean_admin_actions_read_naturally(staff_client):
    InfluencerFactory()
    page = staff_client.get("/admin/influencers/influencer/").content.decode()
    assert "선택한 인플루언서 추천하기" in page
    assert "선택한 인플루언서 삭제" in page
    assert "을/를 삭제합니다" not in page
