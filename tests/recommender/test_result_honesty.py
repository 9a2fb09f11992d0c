"""What the result page and the API claim about a result (issue 17): each card's evidence, a plain
notice when nothing matches, the demo model's notice."""

import numpy as np
import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from recommender.models import RecommendationRequest
from recommender.selectors.ranking import RankingQuery
from recommender.services.requests import ranking_results
from tests.conftest import jpeg_bytes
from tests.factories import BrandFactory, style_probabilities
from tests.recommender.test_ranking import build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_classifiers():
    """A classifier loaded here (fp32: no catalogue images to calibrate int8 on) must not be the
    one a later test's catalogue gets from the process-wide cache."""
    from recommender.services.classifiers import classifier_cache_clear

    yield
    classifier_cache_clear()


def done_request(user, style, *, mode, model_version=None, confidence=0.9):
    probabilities = style_probabilities(style)
    q = RankingQuery(
        mode=mode,
        gender="F",
        body_size="M",
        probabilities=probabilities,
        embedding=np.eye(512, dtype=np.float32)[0],
        k=3,
    )
    request = RecommendationRequest(
        user=user,
        mode=mode,
        gender="F",
        body_size="M",
        status=RecommendationRequest.Status.DONE,
        predicted_style=style,
        confidence=confidence,
        style_distribution=[[style, confidence]],
        model_version=model_version,
        model_label=str(model_version or ""),
        results=ranking_results(query=q),
    )
    request.image.save("q.jpg", ContentFile(jpeg_bytes()), save=False)
    request.save()
    return request


def in_language(client, language):
    client.cookies["django_language"] = language
    return client


def test_each_card_shows_its_evidence_in_posts_and_for_brands_in_likes(client):
    brand = BrandFactory()
    build("forty", [("romantic", 100)] * 12 + [("street", 10)] * 28)
    request = done_request(brand, "romantic", mode="brand")
    client.force_login(brand)
    page = client.get(f"/recommendations/{request.pk}/").content.decode()
    assert "게시물 40개 중 12개가 로맨틱 (30%)" in page
    assert "그 게시물의 좋아요 1,200개" in page
    english = (
        in_language(client, "en").get(f"/recommendations/{request.pk}/result/").content.decode()
    )
    assert "12 of 40 posts in Romantic (30%)" in english


def test_each_card_shows_its_share_of_posts_in_the_style_and_a_thin_one_is_marked(client):
    build("one_viral", [("romantic", 50000)] + [("street", 10)] * 33)
    build("steady", [("romantic", 100)] * 8 + [("street", 100)] * 22)
    brand = BrandFactory()
    request = done_request(brand, "romantic", mode="brand")
    client.force_login(brand)
    korean = client.get(f"/recommendations/{request.pk}/").content.decode()
    assert "로맨틱: 게시물 30개 중 8개, 27%" in korean
    assert "로맨틱: 게시물 34개 중 1개, 3%" in korean
    assert korean.count("이 스타일 게시물 적음") == 1
    assert korean.index("게시물 30개 중 8개") < korean.index("게시물 34개 중 1개")  # steady first
    english = (
        in_language(client, "en").get(f"/recommendations/{request.pk}/result/").content.decode()
    )
    assert "Romantic: 1 of 34 posts, 3%" in english and "few posts in this style" in english
    api = APIClient()
    api.force_authenticate(brand)
    cards = api.get(f"/api/v1/recommendations/{request.pk}/").json()["results"]["similarity"]
    assert [(c["style_share"]["posts"], c["enough_evidence"]) for c in cards["cards"]] == [
        (8, True),
        (1, False),
    ]


def test_no_match_is_said_plainly_on_the_page_and_in_the_api_and_the_cards_are_marked(
    client, consumer
):
    build("street_m", [("street", 100)] * 3)
    request = done_request(consumer, "oriental", mode="consumer")
    client.force_login(consumer)
    page = client.get(f"/recommendations/{request.pk}/").content.decode()
    assert "사진의 스타일인 오리엔탈 게시물을 올린 사람이 없습니다" in page
    assert "가장 가까운 스타일" in page  # the card's mark and the notice
    api = APIClient()
    api.force_authenticate(consumer)
    body = api.get(f"/api/v1/recommendations/{request.pk}/").json()
    shown = body["results"]["similarity"]
    assert shown["no_match"] == {
        "style": "oriental",
        "relaxed_filter": "",
        "nearest_styles": ["street"],
    }
    assert [n["code"] for n in shown["notices"]] == ["no_style_match", "nearest_style"]
    assert "Oriental" in shown["notices"][0]["en"] and "오리엔탈" in shown["notices"][0]["ko"]
    assert [c["nearest_style"] for c in shown["cards"]] == ["street"]
    original = body["results"]["original"]
    assert original["cards"] == [] and original["notices"][0]["code"] == "no_style_match"


# The style model's honesty (issue 17) --------------------------------------------------------

DEMO_KO = "생성된 그림으로 학습했기 때문에 실제 사진에 대한 답은 의미가 없습니다"


def test_a_demo_model_says_in_korean_on_every_page_and_the_api_that_its_answer_means_little(
    client, consumer, active_model
):
    from influencers.services.profiles import influencer_style_profile_rebuild
    from tests.factories import classified_post

    assert active_model.is_demo and active_model.validation_accuracy is not None
    influencer = build("demo_classified", [])
    classified_post(influencer, "romantic", 10, model_version=active_model)
    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    request = done_request(consumer, "romantic", mode="consumer", model_version=active_model)
    client.force_login(consumer)
    accuracy = f"{active_model.validation_accuracy:.0%}"
    for url in (
        f"/recommendations/{request.pk}/",
        f"/recommendations/{request.pk}/result/",
        f"/influencers/{influencer.handle}/",
        "/",
    ):
        page = in_language(client, "ko").get(url).content.decode()
        assert DEMO_KO in page, url
        assert "정확도" not in page and "top-1" not in page, url
    api = APIClient()
    api.force_authenticate(consumer)
    body = api.get(f"/api/v1/recommendations/{request.pk}/").json()
    assert body["model"]["is_demo"] and DEMO_KO in body["model"]["notice_ko"]
    assert "generated pictures" in body["model"]["notice_en"]
    assert body["model"]["top1"] is None and accuracy not in str(body["model"])
    detail = api.get(f"/api/v1/influencers/{influencer.handle}/").json()
    assert [m["is_demo"] for m in detail["style_models"]] == [True]
    assert DEMO_KO in detail["style_models"][0]["notice_ko"]


def test_a_demo_models_label_carries_no_accuracy_and_a_real_one_its_held_out_figures(
    client, consumer, active_model
):
    from recommender.services.classifiers import model_label

    assert "top-1" not in model_label(active_model, quantized=False)
    active_model.is_demo = False
    active_model.metrics = {
        **active_model.metrics,
        "val_top1": 0.61,
        "val_top3": 0.84,
        "evaluation_set": "held-out 20% of K-Fashion, 4000 images",
    }
    active_model.save()
    request = done_request(consumer, "romantic", mode="consumer", model_version=active_model)
    client.force_login(consumer)
    page = in_language(client, "en").get(f"/recommendations/{request.pk}/").content.decode()
    assert "held-out top-1 61%, top-3 84% on held-out 20% of K-Fashion, 4000 images" in page
    assert "generated pictures" not in page
    api = APIClient()
    api.force_authenticate(consumer)
    model = api.get(f"/api/v1/recommendations/{request.pk}/").json()["model"]
    assert (model["top1"], model["top3"], model["is_demo"]) == (0.61, 0.84, False)
    assert model["evaluation_set"] == "held-out 20% of K-Fashion, 4000 images"


def test_the_low_confidence_warning_reads_the_calibrated_probability_of_the_top_style(
    consumer, active_model, django_capture_on_commit_callbacks, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mlcore.styles import STYLE_CODES
    from recommender.services import requests as services
    from recommender.services.classifiers import classifier_for

    data = jpeg_bytes(size=(120, 160))
    with django_capture_on_commit_callbacks(execute=True):
        request = services.recommendation_create(
            user=consumer, image=SimpleUploadedFile("look.jpg", data, content_type="image/jpeg")
        )
    request.refresh_from_db()
    classifier = classifier_for(active_model)
    logits = classifier.predict_logits([data])[0]
    calibrated = classifier.probabilities(logits)[0]
    assert classifier.checkpoint.temperature != 1.0  # otherwise this test proves nothing
    raw = classifier.probabilities(logits, temperature=1.0)[0]
    top = STYLE_CODES.index(request.predicted_style)
    assert request.confidence == pytest.approx(float(calibrated[top]), abs=1e-6)
    assert request.confidence != pytest.approx(float(raw[top]), abs=1e-6)
    settings.LOW_CONFIDENCE_THRESHOLD = request.confidence + 0.01
    api = APIClient()
    api.force_authenticate(consumer)
    assert api.get(f"/api/v1/recommendations/{request.pk}/").json()["low_confidence"] is True
