"""API tokens: listed and revoked by their owner (page and API), ended by API log-out.

Issue 21: tokens outlived log-out and could be neither listed nor revoked.
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.constants import API_TOKENS_MAX
from accounts.models import ApiToken
from accounts.tokens import api_token_create
from tests.factories import STRONG_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def token_login(user) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": STRONG_PASSWORD}
    )
    assert response.status_code == 200
    return response.json()["token"]


def with_token(secret: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


def works(secret: str) -> bool:
    return with_token(secret).get("/api/v1/recommendations/").status_code == 200


def test_each_token_log_in_makes_a_token_whose_secret_is_not_stored():
    user = UserFactory()
    laptop, script = token_login(user), token_login(user)
    assert laptop != script and works(laptop) and works(script)
    stored = ApiToken.objects.filter(user=user)
    assert stored.count() == 2
    for token in stored:
        assert token.digest not in (laptop, script) and len(token.digest) == 64
        assert token.prefix in (laptop[:8], script[:8])


def test_the_api_lists_ones_tokens_with_created_and_last_used_never_the_secret():
    user, stranger = UserFactory(), UserFactory()
    first, second = token_login(user), token_login(user)
    token_login(stranger)
    listed = with_token(second).get("/api/v1/auth/tokens/")
    assert listed.status_code == 200
    body = listed.json()
    assert len(body) == 2
    assert {t["prefix"] for t in body} == {first[:8], second[:8]}
    assert set(body[0]) == {"id", "prefix", "created", "last_used", "current"}
    assert [t["current"] for t in body if t["prefix"] == second[:8]] == [True]
    assert all(t["last_used"] for t in body if t["current"])  # this very call used it
    assert first not in listed.content.decode() and second not in listed.content.decode()


def test_one_token_can_be_revoked_and_a_strangers_id_is_404():
    user, stranger = UserFactory(), UserFactory()
    keep, drop = token_login(user), token_login(user)
    theirs = token_login(stranger)
    drop_id = ApiToken.objects.get(prefix=drop[:8]).pk
    their_id = ApiToken.objects.get(prefix=theirs[:8]).pk
    api = with_token(keep)
    assert api.delete(f"/api/v1/auth/tokens/{their_id}/").status_code == 404
    assert api.delete("/api/v1/auth/tokens/999999/").status_code == 404
    assert works(theirs)
    assert api.delete(f"/api/v1/auth/tokens/{drop_id}/").status_code == 204
    assert not works(drop) and works(keep)


def test_revoking_all_through_the_api_ends_every_token_of_the_user_only():
    user, stranger = UserFactory(), UserFactory()
    mine = [token_login(user) for _ in range(3)]
    theirs = token_login(stranger)
    assert with_token(mine[0]).delete("/api/v1/auth/tokens/").status_code == 204
    assert not any(works(secret) for secret in mine)
    assert works(theirs)


def test_log_out_through_the_api_revokes_the_calling_token_only():
    user = UserFactory()
    calling, other = token_login(user), token_login(user)
    assert with_token(calling).post("/api/v1/auth/logout/").status_code == 204
    assert not works(calling)
    assert works(other)


def test_log_out_of_the_site_ends_the_session_and_leaves_tokens_to_the_tokens_page(client):
    """What page log-out does, stated: the browser's session only; scripts keep their tokens
    until revoked on the tokens page."""
    user = UserFactory()
    script = token_login(user)
    client.force_login(user)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert works(script)


def test_the_tokens_page_lists_and_revokes_ones_own_tokens(client):
    user, stranger = UserFactory(), UserFactory()
    one, two = token_login(user), token_login(user)
    theirs = token_login(stranger)
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    page = client.get(reverse("accounts:api_tokens"))
    text = page.content.decode()
    assert page.status_code == 200
    assert one[:8] in text and two[:8] in text and theirs[:8] not in text
    assert one not in text and two not in text  # never the secret
    their_id = ApiToken.objects.get(prefix=theirs[:8]).pk
    assert client.post(reverse("accounts:api_tokens"), {"token": their_id}).status_code == 404
    assert client.post(reverse("accounts:api_tokens"), {"token": "x"}).status_code == 404
    one_id = ApiToken.objects.get(prefix=one[:8]).pk
    assert client.post(reverse("accounts:api_tokens"), {"token": one_id}).status_code == 302
    assert not works(one) and works(two)
    assert client.post(reverse("accounts:api_tokens"), {"all": "1"}).status_code == 302
    assert not works(two) and works(theirs)


def test_the_tokens_page_is_for_signed_in_users_and_needs_csrf(client):
    assert client.get(reverse("accounts:api_tokens")).status_code == 302
    user = UserFactory()
    secret = token_login(user)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    assert csrf_client.post(reverse("accounts:api_tokens"), {"all": "1"}).status_code == 403
    assert works(secret)


def test_making_one_token_past_the_limit_revokes_the_least_recently_used():
    user = UserFactory()
    secrets = [api_token_create(user=user)[1] for _ in range(API_TOKENS_MAX)]
    for secret in secrets[1:]:
        assert works(secret)  # each used once: the first is the least recently used
    newest = api_token_create(user=user)[1]
    assert ApiToken.objects.filter(user=user).count() == API_TOKENS_MAX
    assert not works(secrets[0]) and works(secrets[1]) and works(newest)


def test_a_token_of_a_deactivated_account_stops_working():
    user = UserFactory()
    secret = token_login(user)
    user.is_active = False
    user.save()
    assert with_token(secret).get("/api/v1/recommendations/").status_code == 401
