"""What the result page and the API claim about a result (issue 17): each card's evidence, a plain
notice when nothing matches, the demo model's notice."""

import numpy as np
import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from recommender.models import RecommendationRequest
from recommender.selectors.ranking import RankingQuery, ranking_original, ranking_similarity
from tests.conftest import jpeg_bytes
from tests.factories import BrandFactory, style_probabilities
from tests.recommender.test_ranking import build

pytestmark = pytest.mark.django_db


def done_request(user, style, *, mode, model_version=None, confidence=0.9):
    probabilities = style_probabilities(style)
    q = RankingQuery(
        mode=mode,
        gender="F",
        body_size="M",
        probabilities=probabilities,
        embedding=np.eye(512, dtype=np.float32)[0],
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
        results={
            "similarity": ranking_similarity(q).as_dict(),
            "original": ranking_original(q).as_dict(),
        },
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
