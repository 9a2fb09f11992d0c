"""Deactivated influencers and their posts: only staff with the view permission see them.

Issue 21: any staff account (is_staff alone) read them through the API.
"""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db


def staff(*codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def gone():
    influencer = InfluencerFactory(handle="gone", is_active=False)
    return influencer, classified_post(influencer, "street", 10)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_without_the_view_permission_cannot_read_a_deactivated_influencer_by_api(gone):
    client = api(staff("change_post", "add_importjob"))
    assert client.get("/api/v1/influencers/gone/").status_code == 404
    assert client.get("/api/v1/influencers/gone/posts/").status_code == 404


def test_staff_with_the_view_permission_read_a_deactivated_influencer_and_posts_by_api(gone):
    _, post = gone
    client = api(staff("view_influencer"))
    detail = client.get("/api/v1/influencers/gone/")
    assert detail.status_code == 200 and detail.json()["is_active"] is False
    posts = client.get("/api/v1/influencers/gone/posts/")
    assert posts.status_code == 200
    assert [p["instagram_id"] for p in posts.json()["results"]] == [post.instagram_id]


def test_the_pages_follow_the_same_rule(client, gone):
    _, post = gone
    client.force_login(staff("change_post"))
    assert client.get("/influencers/gone/").status_code == 410
    assert client.get(f"/influencers/gone/posts/{post.pk}/").status_code == 404
    client.force_login(staff("view_influencer"))
    assert client.get("/influencers/gone/").status_code == 200
    assert client.get(f"/influencers/gone/posts/{post.pk}/").status_code == 200


def test_an_active_influencer_is_visible_to_everyone_signed_in(gone):
    InfluencerFactory(handle="here")
    assert api(UserFactory()).get("/api/v1/influencers/here/").status_code == 200
    assert api(UserFactory()).get("/api/v1/influencers/gone/").status_code == 404
