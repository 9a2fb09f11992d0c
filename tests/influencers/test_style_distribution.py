"""The influencer page's style distribution: styles only (walkthrough: "이미지 없음 3" sat between
아방가르드 and 톰보이 as if it were a style)."""

import pytest

from common.styles import NO_IMAGE
from influencers.models import ClassificationStatus, Post
from influencers.selectors import influencer_style_shares
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.factories import InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db


def test_posts_without_an_image_are_not_a_bar_of_the_distribution(client):
    influencer = InfluencerFactory(handle="mixed_feed")
    for style in ("romantic", "romantic", "street"):
        classified_post(influencer, style, 10)
    for n in range(3):
        Post.objects.create(
            influencer=influencer,
            instagram_id=f"text{n}",
            predicted_style=NO_IMAGE,
            classification_status=ClassificationStatus.DONE,
        )
    influencer = influencer_style_profile_rebuild(influencer_id=influencer.pk)
    assert NO_IMAGE in influencer.style_stats  # the profile keeps the count
    shares = influencer_style_shares(influencer)
    assert [(r["style"], r["value"]) for r in shares] == [("romantic", 2), ("street", 1)]
    assert shares[0]["share"] == pytest.approx(2 / 3)
    html = client.get("/influencers/mixed_feed/").content.decode()
    assert "이미지 없음" not in html.split('class="distribution"')[1].split("</ul>")[0]
