import csv
import io
import re
from urllib.parse import unquote

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from campaigns import services
from campaigns.models import SavedInfluencer, Stage
from common.errors import ApplicationError, PermissionDeniedError
from influencers.selectors import influencer_lookalikes
from influencers.services.profiles import influencer_style_profile_rebuild
from tests.conftest import jpeg_bytes
from tests.factories import BrandFactory, InfluencerFactory, classified_post

pytestmark = pytest.mark.django_db


def test_consumers_cannot_create_campaigns(consumer):
    with pytest.raises(PermissionDeniedError):
        services.campaign_create(user=consumer, name="x", target_gender="F", target_body_size="M")


def test_a_period_that_ends_before_it_starts_is_refused(brand):
    import datetime as dt

    with pytest.raises(ApplicationError):
        services.campaign_create(
            user=brand,
            name="x",
            target_gender="F",
            target_body_size="M",
            starts_on=dt.date(2025, 5, 1),
            ends_on=dt.date(2025, 4, 1),
        )


def test_campaign_images_get_brand_recommendations_with_the_campaign_targets(campaign):
    image = services.campaign_image_add(
        campaign=campaign, image=SimpleUploadedFile("p.jpg", jpeg_bytes()), user=campaign.created_by
    )
    request = image.recommendation
    assert (request.mode, request.gender, request.body_size, request.user) == (
        "brand",
        "F",
        "M",
        campaign.created_by,
    )


def test_the_shortlist_life_cycle_keeps_every_stage_change(campaign, influencer, brand):
    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    for stage in (Stage.CONTACTED, Stage.NEGOTIATING, Stage.CONFIRMED, Stage.DONE):
        services.shortlist_stage_change(entry=entry, stage=stage, user=brand, note=f"→ {stage}")
    history = list(entry.history.values_list("from_stage", "to_stage"))
    assert history == [
        ("", "candidate"),
        ("candidate", "contacted"),
        ("contacted", "negotiating"),
        ("negotiating", "confirmed"),
        ("confirmed", "done"),
    ]
    assert entry.history.last().changed_at >= entry.history.first().changed_at


def test_stages_cannot_be_skipped_and_done_is_final(campaign, influencer, brand):
    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    with pytest.raises(ApplicationError):
        services.shortlist_stage_change(entry=entry, stage=Stage.CONFIRMED, user=brand)
    services.shortlist_stage_change(entry=entry, stage=Stage.DROPPED, user=brand)
    services.shortlist_stage_change(entry=entry, stage=Stage.CANDIDATE, user=brand)
    with pytest.raises(ApplicationError):
        services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)


def _export_rows(campaign) -> tuple[bytes, list[dict]]:
    data = services.shortlist_export_csv(campaign=campaign)
    return data, list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_csv_export_opens_back_with_korean_commas_and_newlines(campaign, influencer, brand):
    entry = services.shortlist_add(
        campaign=campaign,
        influencer_id=influencer.pk,
        user=brand,
        notes='담당자: 김민지, "원피스" 협찬\n다음 주 연락',
    )
    services.shortlist_stage_change(entry=entry, stage=Stage.CONTACTED, user=brand)
    data, rows = _export_rows(campaign)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert data.split(b"\n")[0].endswith(b"\r")  # CRLF rows, as Excel writes them
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == [
        "인스타그램 계정",
        "인스타그램 프로필",
        "연락처 이메일",
        "팔로워",
        "대표 스타일",
        "그 스타일 게시물 비율",
        "총 좋아요",
        "평균 좋아요",
        "참여율",
        "협찬 게시물 비율",
        "팔로워 증가율 (30일)",
        "단계",
        "추가한 때",
        "단계 바뀐 때",
        "메모",
    ]
    assert row["인스타그램 계정"] == "shortlisted" and row["대표 스타일"] == "로맨틱"
    assert row["메모"] == '담당자: 김민지, "원피스" 협찬\n다음 주 연락'
    assert row["단계"] == "연락" and row["총 좋아요"] == "300"
    assert row["참여율"] == "15.00%"  # 300 likes per post / 2,000 followers
    assert row["팔로워"] == "2000" and row["그 스타일 게시물 비율"] == "100.00%"
    assert row["인스타그램 프로필"] == "https://www.instagram.com/shortlisted/"
    assert row["연락처 이메일"] == ""  # not known yet


def test_the_csv_export_gives_what_a_brand_needs_to_reach_out(campaign, brand):
    from influencers.models import Influencer

    influencer = InfluencerFactory(handle="reach_me", followers=12_345)
    classified_post(influencer, "romantic", 100)
    classified_post(influencer, "romantic", 100)
    classified_post(influencer, "street", 500)
    influencer_style_profile_rebuild(influencer_id=influencer.pk)
    Influencer.objects.filter(pk=influencer.pk).update(contact_email="pr@reach.example")
    demo = InfluencerFactory(handle="smdemo_x", is_demo=True)
    services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    services.shortlist_add(campaign=campaign, influencer_id=demo.pk, user=brand)
    with translation.override("en"):
        _, rows = _export_rows(campaign)
    by_handle = {row["Instagram handle"]: row for row in rows}
    row = by_handle["reach_me"]
    assert row["Followers"] == "12345"
    assert row["Representative style"] == "Street"  # most likes
    assert row["Posts in that style"] == "33.33%"  # 1 of 3 posts
    assert row["Instagram profile"] == "https://www.instagram.com/reach_me/"
    assert row["Contact e-mail"] == "pr@reach.example"
    assert by_handle["smdemo_x"]["Instagram profile"] == ""  # a made-up account


def test_the_csv_export_shows_seoul_time_to_the_minute(campaign, influencer, brand):
    import datetime as dt

    from campaigns.models import ShortlistEntry

    entry = services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    utc = dt.datetime(2025, 3, 4, 6, 53, 18, 22201, tzinfo=dt.UTC)
    ShortlistEntry.objects.filter(pk=entry.pk).update(added_at=utc, stage_changed_at=utc)
    _, rows = _export_rows(campaign)
    assert rows[0]["추가한 때"] == rows[0]["단계 바뀐 때"] == "2025-03-04 15:53"  # UTC+9


def test_the_csv_export_follows_the_english_ui(campaign, influencer, brand):
    from django.utils import translation

    services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    with translation.override("en"):
        _, rows = _export_rows(campaign)
    row = rows[0]
    assert row["Instagram handle"] == "shortlisted" and row["Representative style"] == "Romantic"
    assert row["Stage"] == "Candidate" and row["Engagement rate"] == "15.00%"


def test_the_page_download_is_the_same_csv_in_the_chosen_language(client, campaign, brand):
    client.force_login(brand)
    korean = client.get(f"/campaigns/{campaign.pk}/shortlist.csv")
    assert korean["Content-Type"] == "text/csv; charset=utf-8"
    assert korean.content.decode("utf-8-sig").startswith("인스타그램 계정,")
    client.cookies["django_language"] = "en"
    english = client.get(f"/campaigns/{campaign.pk}/shortlist.csv")
    assert english.content.decode("utf-8-sig").startswith("Instagram handle,")


def test_a_deactivated_influencer_stays_on_lists_as_unavailable(
    client, campaign, influencer, brand, consumer
):
    services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=brand)
    saved = services.saved_add(user=consumer, influencer_id=influencer.pk)
    influencer.is_active = False
    influencer.save()
    client.force_login(consumer)
    page = client.get("/saved/")
    assert page.status_code == 200 and "shortlisted" in page.content.decode()
    saved.refresh_from_db()
    assert not saved.is_available
    client.force_login(brand)
    detail = client.get(f"/campaigns/{campaign.pk}/")
    assert detail.status_code == 200 and "shortlisted" in detail.content.decode()
    assert "300" in services.shortlist_export_csv(campaign=campaign).decode("utf-8-sig")


def test_a_deleted_influencer_keeps_its_handle_on_lists(campaign, influencer, brand, consumer):
    services.saved_add(user=consumer, influencer_id=influencer.pk)
    influencer.delete()
    saved = SavedInfluencer.objects.get()
    assert saved.handle == "shortlisted" and not saved.is_available


@pytest.mark.parametrize("url", ["/campaigns/{pk}/", "/campaigns/{pk}/shortlist.csv"])
def test_campaign_pages_show_only_to_their_owner(client, campaign, url):
    url = url.format(pk=campaign.pk)
    client.force_login(campaign.created_by)
    assert client.get(url).status_code == 200
    client.force_login(BrandFactory())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_consumers_get_a_clear_page_on_campaign_urls(client, consumer, campaign):
    client.force_login(consumer)
    response = client.get("/campaigns/")
    assert response.status_code == 403
    assert "brand" in response.content.decode() or "제조사" in response.content.decode()
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 403


def test_the_campaign_api_enforces_ownership(campaign, influencer, consumer):
    owner, stranger, anonymous = APIClient(), APIClient(), APIClient()
    owner.force_authenticate(campaign.created_by)
    stranger.force_authenticate(BrandFactory())
    url = f"/api/v1/campaigns/{campaign.pk}/"
    assert owner.get(url).status_code == 200
    assert stranger.get(url).status_code == 404
    assert anonymous.get(url).status_code in (401, 403)
    shortlist = owner.post(url + "shortlist/", {"influencer_id": influencer.pk}, format="json")
    assert shortlist.status_code == 201
    entry = shortlist.json()["id"]
    assert (
        stranger.patch(
            url + f"shortlist/{entry}/", {"stage": "contacted"}, format="json"
        ).status_code
        == 404
    )
    moved = owner.patch(url + f"shortlist/{entry}/", {"stage": "contacted"}, format="json")
    assert moved.json()["stage"] == "contacted" and len(moved.json()["history"]) == 2
    bad = owner.patch(url + f"shortlist/{entry}/", {"stage": "done"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_transition"
    consumer_api = APIClient()
    consumer_api.force_authenticate(consumer)
    assert consumer_api.get("/api/v1/campaigns/").status_code == 403
    assert stranger.delete(url).status_code == 404 and owner.delete(url).status_code == 204


def test_saved_lists_through_pages_and_api_are_private(client, consumer, stranger, influencer):
    client.force_login(consumer)
    client.post("/saved/add/", {"influencer_id": influencer.pk})
    saved = SavedInfluencer.objects.get(user=consumer)
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.get("/api/v1/saved/").json()["results"] == []
    assert api.delete(f"/api/v1/saved/{saved.pk}/").status_code == 404
    client.force_login(stranger)
    assert client.post(f"/saved/{saved.pk}/remove/").status_code == 404
    assert SavedInfluencer.objects.filter(pk=saved.pk).exists()


def _with_profile(handle, styles, gender="F", size="M", direction=0):
    influencer = InfluencerFactory(handle=handle, gender=gender, body_size=size)
    embedding = np.zeros(512, dtype=np.float32)
    embedding[direction] = 1
    for style in styles:
        classified_post(influencer, style, 10, embedding=embedding)
    return influencer_style_profile_rebuild(influencer_id=influencer.pk)


def test_lookalikes_are_ordered_by_style_profile_and_embedding_similarity():
    target = _with_profile("target", ["street", "street", "hiphop"], direction=0)
    twin = _with_profile("twin", ["street", "street", "hiphop"], direction=0)
    close = _with_profile("close", ["street", "hiphop", "hiphop"], direction=0)
    far = _with_profile("far", ["romantic", "romantic"], direction=5)
    _with_profile("inactive_twin", ["street", "street", "hiphop"]).__class__.objects.filter(
        handle="inactive_twin"
    ).update(is_active=False)
    male = _with_profile("male_twin", ["street", "street", "hiphop"], gender="M")
    ranked = [i.handle for i, _ in influencer_lookalikes(influencer=target)]
    assert ranked[:2] in (["twin", "male_twin"], ["male_twin", "twin"])
    assert ranked.index("close") < ranked.index("far")
    assert "inactive_twin" not in ranked and "target" not in ranked
    only_women = [i.handle for i, _ in influencer_lookalikes(influencer=target, gender="F")]
    assert only_women == ["twin", "close", "far"]
    assert {twin.gender, close.gender, far.gender, male.gender} == {"F", "M"}


def test_the_api_refuses_consumers_in_their_language(consumer):
    """The brand-only rule has one home and one translated message for pages and API."""
    api = APIClient()
    api.force_authenticate(consumer)
    for language in ("ko", "en"):
        response = api.get("/api/v1/campaigns/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 403
        with translation.override(language):
            assert response.json()["detail"] == translation.gettext(
                "Campaigns are for brand accounts."
            )
    with pytest.raises(PermissionDeniedError):
        services.campaign_create(user=consumer, name="x", target_gender="F", target_body_size="M")


def test_the_campaign_api_reads_the_campaign_once(campaign, influencer):
    services.shortlist_add(campaign=campaign, influencer_id=influencer.pk, user=campaign.created_by)
    api = APIClient()
    api.force_authenticate(campaign.created_by)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/campaigns/{campaign.pk}/")
    assert response.status_code == 200 and response.json()["shortlist"]
    table = connection.ops.quote_name("campaigns_campaign")
    # (the main query holds a subquery for the member's role: look for the table anywhere)
    campaign_reads = [q for q in queries if f" FROM {table}" in q["sql"]]
    assert len(campaign_reads) == 1


def test_a_missing_influencer_or_saved_entry_is_a_404_on_every_path(client, consumer, stranger):
    api = APIClient()
    api.force_authenticate(consumer)
    assert api.post("/api/v1/saved/", {"influencer_id": 999999}, format="json").status_code == 404
    inactive = InfluencerFactory(handle="gone_away", is_active=False)
    answer = api.post("/api/v1/saved/", {"influencer_id": inactive.pk}, format="json")
    assert answer.status_code == 404
    theirs = services.saved_add(user=stranger, influencer_id=InfluencerFactory().pk)
    assert api.delete(f"/api/v1/saved/{theirs.pk}/").status_code == 404
    client.force_login(consumer)
    assert client.post(f"/saved/{theirs.pk}/remove/").status_code == 404
    assert SavedInfluencer.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    ("name", "ascii_start"),
    [("봄 원피스", "campaign-"), ('Summer "SALE" 24/25', "summer-sale-2425-")],
)
def test_the_csv_download_is_named_after_the_campaign_and_the_day(client, brand, name, ascii_start):
    campaign = services.campaign_create(
        user=brand, name=name, target_gender="F", target_body_size="M"
    )
    client.force_login(brand)
    api = APIClient()
    api.force_authenticate(brand)
    today = timezone.localdate().isoformat()
    for response in (
        client.get(f"/campaigns/{campaign.pk}/shortlist.csv"),
        api.get(f"/api/v1/campaigns/{campaign.pk}/shortlist.csv"),
    ):
        disposition = response["Content-Disposition"]
        fallback = re.search(r'filename="([^"]*)"', disposition).group(1)
        assert fallback.isascii() and fallback.startswith(ascii_start)
        assert fallback.endswith(f"-shortlist-{today}.csv")
        encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
        utf8_name = unquote(encoded)
        assert name.split("/")[0].replace('"', "-") in utf8_name and today in utf8_name
        assert not set('/\\"') & set(utf8_name) and utf8_name.endswith(".csv")
