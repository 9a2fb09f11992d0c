"""A user holding one of everything a user can hold, for the data-rights tests."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.tokens import api_token_create
from campaigns import services as campaign_services
from influencers.services.profiles import influencer_style_profile_rebuild
from recommender.constants import HISTORY_THUMBNAIL_PIXELS
from recommender.models import RecommendationRequest
from recommender.services.requests import recommendation_create
from tests.conftest import jpeg_bytes
from tests.factories import BrandFactory, InfluencerFactory, classified_post


@dataclass
class Holder:
    user: object
    client: Client
    photos: list[str]  # stored names of the user's uploads
    token: str


def upload(name: str, color=(200, 80, 120)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(color=color, size=(96, 120)), "image/jpeg")


def hold_everything(user) -> Holder:
    """Requests (one on its own, one through a campaign), a campaign with a shortlist note, a
    saved influencer, an API token, a session and a cached history thumbnail."""
    influencer = InfluencerFactory(handle=f"liked_by_{user.username}")
    classified_post(influencer, "romantic", 120)
    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    alone = recommendation_create(user=user, image=upload("look.jpg"), gender="F", body_size="M")
    campaign = campaign_services.campaign_create(
        user=user, name="봄 캠페인", target_gender="F", target_body_size="M", brief="비공개 기획"
    )
    campaign_services.campaign_image_add(
        user=user, campaign=campaign, image=upload("product.jpg", color=(20, 160, 90))
    )
    entry = campaign_services.shortlist_add(
        campaign=campaign, influencer_id=influencer.pk, user=user, notes="첫 연락 예정"
    )
    campaign_services.shortlist_note_add(entry=entry, user=user, note="답장 받음")
    campaign_services.saved_add(user=user, influencer_id=influencer.pk, note="여름에 다시")
    _, token = api_token_create(user=user)
    client = Client()
    client.force_login(user)
    response = client.get(f"/recommendations/{alone.pk}/thumbnail.jpg")
    assert response.status_code == 200
    photos = list(RecommendationRequest.objects.filter(user=user).values_list("image", flat=True))
    assert len(photos) == 2
    assert cache.get(f"thumbnail:{HISTORY_THUMBNAIL_PIXELS}:{alone.image.name}") is not None
    return Holder(user=user, client=client, photos=photos, token=token)


@pytest.fixture
def holder(db) -> Holder:
    return hold_everything(BrandFactory(username="leaving_brand"))


@pytest.fixture
def bystander(db) -> Holder:
    return hold_everything(BrandFactory(username="staying_brand"))
