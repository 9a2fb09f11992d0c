"""Saved searches of the influencer list: the owner lists, opens and deletes them; a stranger
gets the same 404 as for a missing one."""

import pytest
from django.test import Client

from influencers.constants import SAVED_SEARCH_NAME_MAX_LENGTH, SAVED_SEARCHES_MAX
from influencers.models import SavedSearch
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def save(client, name, query):
    page = client.get("/influencers/saved-searches/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    token = token or client.cookies["csrftoken"].value
    return client.post(
        "/influencers/saved-searches/",
        {"name": name, "query": query, "csrfmiddlewaretoken": token},
    )


def test_a_saved_search_keeps_only_valid_filters_in_a_canonical_order_and_opens_again(consumer):
    client = csrf_client(consumer)
    response = save(client, "봄 원피스", "sort=followers&page=3&q=원피스&min_engagement=3.0&style=")
    saved = SavedSearch.objects.get(user=consumer)
    assert saved.query == "q=%EC%9B%90%ED%94%BC%EC%8A%A4&min_engagement=3&sort=followers"
    assert response.status_code == 302 and response["Location"] == f"/influencers/?{saved.query}"
    opened = client.get(f"/influencers/saved-searches/{saved.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/influencers/?{saved.query}"
    listing = client.get("/influencers/saved-searches/").content.decode()
    assert "봄 원피스" in listing
    assert "봄 원피스" in client.get("/influencers/").content.decode()  # the list links it too


def test_a_search_with_a_bad_filter_or_name_is_refused_and_nothing_is_saved(consumer):
    client = csrf_client(consumer)
    bad_filter = save(client, "x", "min_followers=lots")
    assert bad_filter.status_code == 400
    assert "팔로워 최소" in bad_filter.content.decode()
    too_long = save(client, "가" * (SAVED_SEARCH_NAME_MAX_LENGTH + 1), "q=a")
    assert too_long.status_code == 400
    assert f"{SAVED_SEARCH_NAME_MAX_LENGTH}자까지" in too_long.content.decode()
    blank = save(client, "   ", "q=a")
    assert blank.status_code == 400
    assert not SavedSearch.objects.exists()


def test_a_user_keeps_at_most_the_limit_of_saved_searches(consumer):
    SavedSearch.objects.bulk_create(
        SavedSearch(user=consumer, name=f"s{n}", query="q=a") for n in range(SAVED_SEARCHES_MAX)
    )
    response = save(csrf_client(consumer), "one more", "q=b")
    assert response.status_code == 400
    assert SavedSearch.objects.filter(user=consumer).count() == SAVED_SEARCHES_MAX


def test_only_the_owner_sees_opens_or_deletes_a_saved_search(consumer, stranger):
    mine = SavedSearch.objects.create(user=consumer, name="내 검색", query="q=a")
    other = csrf_client(stranger)
    missing = other.get("/influencers/saved-searches/999999/")
    opened = other.get(f"/influencers/saved-searches/{mine.pk}/")
    assert opened.status_code == missing.status_code == 404
    assert "내 검색" not in opened.content.decode()
    assert "내 검색" not in other.get("/influencers/saved-searches/").content.decode()
    token = other.cookies["csrftoken"].value
    deleted = other.post(
        f"/influencers/saved-searches/{mine.pk}/delete/", {"csrfmiddlewaretoken": token}
    )
    assert deleted.status_code == 404 and SavedSearch.objects.filter(pk=mine.pk).exists()
    owner = csrf_client(consumer)
    owner.get("/influencers/saved-searches/")
    no_token = owner.post(f"/influencers/saved-searches/{mine.pk}/delete/")
    assert no_token.status_code == 403
    token = owner.cookies["csrftoken"].value
    gone = owner.post(
        f"/influencers/saved-searches/{mine.pk}/delete/", {"csrfmiddlewaretoken": token}
    )
    assert gone.status_code == 302 and not SavedSearch.objects.filter(pk=mine.pk).exists()


def test_an_anonymous_visitor_is_asked_to_log_in_to_save(client):
    page = client.get("/influencers/", {"q": "원피스"}).content.decode()
    assert "로그인하면 이 검색을 저장할 수 있습니다" in page
    assert client.get("/influencers/saved-searches/").status_code == 302
    response = client.post("/influencers/saved-searches/", {"name": "x", "query": "q=a"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not SavedSearch.objects.exists()


def test_saved_searches_go_with_their_user(consumer):
    SavedSearch.objects.create(user=consumer, name="x", query="")
    UserFactory()
    consumer.delete()
    assert not SavedSearch.objects.exists()
