import pytest

from campaigns import services
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, classified_post


@pytest.fixture
def campaign(brand):
    return services.campaign_create(
        user=brand,
        name="봄 원피스",
        target_gender="F",
        target_body_size="M",
        brief="봄 신상 원피스 홍보",
    )


@pytest.fixture
def influencer():
    """An influencer with a style profile (one 로맨틱 post), as a result card would offer it."""
    influencer = InfluencerFactory(handle="shortlisted", followers=2000)
    classified_post(influencer, "romantic", 300)
    return influencer_style_profile_rebuild(influencer_id=influencer.pk)
