"""A bounded schemathesis run against the served OpenAPI schema: no input makes the API fail."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def api_schema(db):
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    # As Django's test client does: the test's transaction must outlive each WSGI request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    from accounts.tokens import api_token_create
    from tests.factories import BrandFactory

    return api_token_create(user=BrandFactory(is_staff=True))[1]


@pytest.mark.django_db
def test_no_generated_request_causes_a_server_error(api_schema, token):
    headers = {"Authorization": f"Token {token}", "Host": "testserver"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    statuses = []

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:300]}"
            )

        check()

    # the run really exercised the API: every operation was called, and some calls succeeded
    assert len(statuses) >= 3 * len(operations)
    assert any(200 <= status < 300 for status in statuses)
