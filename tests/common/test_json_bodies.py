"""JSON bodies nested thousands deep: a 400 with a stable code on every JSON API, never a 500."""

import pytest
from rest_framework.test import APIClient

from tests.factories import BrandFactory, UserFactory

pytestmark = pytest.mark.django_db


def nested(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [2_000, 100_000])
@pytest.mark.parametrize("kind", ["list", "object"])
def test_a_deeply_nested_body_on_the_token_endpoint_is_a_clear_400(depth, kind):
    response = APIClient().post(
        "/api/v1/auth/token/", nested(depth, kind), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


@pytest.mark.parametrize(
    "user_factory,url",
    [
        (BrandFactory, "/api/v1/campaigns/"),
        (UserFactory, "/api/v1/saved/"),
    ],
)
def test_a_deeply_nested_body_on_other_json_apis_is_a_clear_400(user_factory, url):
    api = APIClient()
    api.force_authenticate(user_factory())
    response = api.post(url, nested(2_000, "list"), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


def test_a_shallow_body_still_parses(consumer):
    api = APIClient()
    api.force_authenticate(consumer)
    response = api.post("/api/v1/saved/", {"influencer_id": 999999}, format="json")
    assert response.status_code == 404
