"""Migration accounts.0004: tokens made with DRF's authtoken before it keep working after it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

BEFORE = [("accounts", "0005_data_rights")]
DRF_TOKENS = ("authtoken", "0004_alter_tokenproxy_options")
AFTER = [("accounts", "0006_api_tokens_and_session_stamp")]


@pytest.mark.django_db(transaction=True)
def test_a_drf_token_made_before_the_migration_still_authenticates_after_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([*BEFORE, DRF_TOKENS]).apps
    user = old.get_model("accounts", "User").objects.create(
        username="veteran", username_key="veteran", role="consumer", password="!"
    )
    old.get_model("authtoken", "Token").objects.create(key="a1" * 20, user_id=user.pk)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    from accounts.models import ApiToken, User
    from accounts.privacy.consents import consents_record

    # The veteran agrees to the privacy policy that came with these migrations.
    consents_record(user=User.objects.get(pk=user.pk), marketing=False)
    copied = ApiToken.objects.get(user_id=user.pk)
    assert copied.prefix == "a1a1a1a1" and "a1" * 20 not in copied.digest
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "a1" * 20)
    assert api.get("/api/v1/recommendations/").status_code == 200
    assert api.get("/api/v1/auth/tokens/").json()[0]["prefix"] == "a1a1a1a1"
