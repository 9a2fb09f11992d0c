"""Smaller findings of issue 25: size labels read the same everywhere, English pages name demo
influencers in English, a note's limit is shown (not cut), the influencer page pages its feed."""

import pytest
from django.test import Client

from campaigns import services as campaign_services
from campaigns.constants import STAGE_NOTE_MAX_LENGTH
from tests.factories import InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def test_size_labels_read_the_same_on_every_page(client, consumer):
    InfluencerFactory(handle="sized", body_size="L")
    for language, label in (("en", "L (large)"), ("ko", "L (큰 체형)")):
        client.cookies["django_language"] = language
        listing = client.get("/influencers/").content.decode()
        detail = client.get("/influencers/sized/").content.decode()
        assert label in listing and label in detail  # card, and the look-alike filter
        client.force_login(consumer)
        assert label in client.get("/").content.decode()  # the upload form
        client.logout()


def test_english_pages_name_demo_influencers_in_english(client):
    InfluencerFactory(
        handle="smdemo_haneul_look",
        is_demo=True,
        display_name="데모 07",
        bio="StyleMatch 데모용 가상 인플루언서입니다.",
    )
    page = english(client).get("/influencers/smdemo_haneul_look/").content.decode()
    assert "Demo influencer 07" in page and "fictional StyleMatch demo influencer" in page
    assert "데모 07" not in page and "가상 인플루언서" not in page
    client.cookies["django_language"] = "ko"
    korean = client.get("/influencers/smdemo_haneul_look/").content.decode()
    assert "데모 인플루언서 07" in korean


def test_the_influencer_page_pages_its_feed(client):
    influencer = InfluencerFactory(handle="prolific")
    for n in range(30):
        classified_post(influencer, "romantic", n, caption=f"post {n}")
    first = client.get("/influencers/prolific/").content.decode()
    assert first.count("data-post-viewer><img") == 12
    assert 'href="?page=2"' in first
    last = client.get("/influencers/prolific/", {"page": 3}).content.decode()
    assert last.count("data-post-viewer><img") == 6
    assert client.get("/influencers/prolific/", {"page": "x"}).status_code == 200


def test_a_notes_limit_is_shown_and_a_longer_note_is_refused_not_cut(brand):
    campaign = campaign_services.campaign_create(
        user=brand, name="봄", target_gender="F", target_body_size="M"
    )
    influencer = InfluencerFactory(handle="noted")
    entry = campaign_services.shortlist_add(
        campaign=campaign, influencer_id=influencer.pk, user=brand
    )
    client = Client()
    client.force_login(brand)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f"{STAGE_NOTE_MAX_LENGTH}자까지 쓸 수 있습니다." in page
    assert f'maxlength="{STAGE_NOTE_MAX_LENGTH}"' not in page  # a browser would cut silently
    long_note = "가" * (STAGE_NOTE_MAX_LENGTH + 5)
    response = client.post(
        f"/campaigns/{campaign.pk}/shortlist/{entry.pk}/stage/",
        {f"entry-{entry.pk}-stage": "", f"entry-{entry.pk}-note": long_note},
    )
    assert response.status_code == 400
    assert long_note in response.content.decode()  # what was typed stays
    entry.refresh_from_db()
    assert entry.notes == ""
