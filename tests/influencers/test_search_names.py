"""An influencer is found by its handle and display name as soon as a name is set: an import or
a live refresh that creates or renames it, a handle tracked from admin, a staff edit, before any
summary of its captions has run."""

import csv
import io

import pytest

from influencers.models import Influencer
from influencers.selectors import influencer_list
from influencers.services.graph_refresh import influencers_track
from influencers.services.imports import posts_import
from tests.factories import InfluencerFactory, UserFactory
from tests.influencers.test_admin_security import change_form_data

pytestmark = pytest.mark.django_db


def found(q: str) -> list[str]:
    return [i.handle for i in influencer_list(filters={"q": q}, active_only=False)]


def test_a_staff_edit_of_the_display_name_finds_the_new_name_at_once_and_not_the_old(client):
    influencer = InfluencerFactory(handle="renamed_kr", display_name="Old Name")
    assert found("old name") == found("Old") == ["renamed_kr"]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/influencers/influencer/{influencer.pk}/change/"
    data = change_form_data(client.get(url))
    response = client.post(url, {**data, "display_name": "Seoul Street Daily 서울"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert found("서울") == found("treet") == found("eet dai") == ["renamed_kr"]
    assert found("old") == []


def test_influencers_an_import_creates_are_found_by_their_handle_before_any_summary():
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["username", "url", "title", "like_count"])
    writer.writerow(
        ["fresh.face_kr", "https://www.instagram.com/p/Cq1AbC2dEfG/", "첫 게시물", "12"]
    )
    report = posts_import(posts_data=rows.getvalue().encode(), posts_name="crawl.csv")
    assert report.influencers_created == 1, report
    assert found("face_k") == found("fresh.f") == ["fresh.face_kr"]


def test_a_handle_tracked_from_admin_is_found_before_its_first_refresh():
    influencers_track(handles=["@tracked.only_kr"])
    assert Influencer.objects.get(handle="tracked.only_kr").tracked
    assert found("only_k") == ["tracked.only_kr"]


def test_a_live_refresh_that_renames_an_influencer_finds_the_new_name(graph):
    from tests.influencers.graph_helpers import refresh

    InfluencerFactory(handle="grows_kr", display_name="Before Rename", tracked=True)
    graph.add_account("grows_kr", posts=1, name="After Rebrand 공식")
    refresh(["grows_kr"])
    assert found("rebrand") == found("공식") == ["grows_kr"]
    assert found("before") == []
