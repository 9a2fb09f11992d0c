"""The Graph API token: encrypted at rest, checked with debug_token, shown back only as a hint."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from common.errors import ApplicationError
from common.secrets import secret_decrypt, secret_encrypt
from influencers.graph.errors import TokenInvalid
from influencers.models import GraphCredential
from influencers.services.graph_token import (
    graph_token_check_due,
    graph_token_current,
    graph_token_current_check,
    graph_token_save,
    graph_token_status,
)
from tests.fake_graph_api import Fault
from tests.influencers.graph_helpers import GOOD_TOKEN

pytestmark = pytest.mark.django_db
NEW_TOKEN = "EAAGnewLongLivedToken9b1c"


def _stored_row_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {GraphCredential._meta.db_table}")
        return " ".join(str(v) for row in cursor.fetchall() for v in row)


def test_a_saved_token_is_encrypted_at_rest_and_used_before_the_environments(graph):
    graph.tokens.add(NEW_TOKEN)
    graph.debug_expires_at = int(dt.datetime(2027, 2, 1, tzinfo=dt.UTC).timestamp())
    credential = graph_token_save(token=f"  {NEW_TOKEN}\n")
    assert NEW_TOKEN not in _stored_row_text()
    assert credential.token_hint == "…9b1c"
    assert credential.expires_at == dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    assert graph_token_current() == NEW_TOKEN
    debug_call = graph.requests[-1]
    assert debug_call["path"].endswith("/debug_token")
    assert debug_call["authorization"] == f"Bearer {NEW_TOKEN}"


def test_a_token_the_api_calls_invalid_is_refused_and_nothing_is_stored(graph):
    with pytest.raises(ApplicationError) as refused:
        graph_token_save(token="EAAGrevokedToken0000")
    assert refused.value.code == "token_invalid"
    assert "EAAGrevokedToken0000" not in refused.value.message
    assert not GraphCredential.objects.exclude(token_encrypted="").exists()


@pytest.mark.parametrize("bad", ["", "two words", "x" * 1025])
def test_a_pasted_value_that_is_no_token_is_refused_with_a_clear_error(graph, bad):
    with pytest.raises(ApplicationError) as refused:
        graph_token_save(token=bad)
    assert refused.value.code == "bad_token"
    assert graph.requests == []


def test_a_token_is_kept_with_its_expiry_unknown_when_the_api_cannot_be_reached(graph):
    graph.tokens.add(NEW_TOKEN)
    graph.faults.extend([Fault(status=503)] * 3)
    credential = graph_token_save(token=NEW_TOKEN)
    assert credential.checked_at is None and credential.expires_at is None
    assert graph_token_current() == NEW_TOKEN


def test_a_token_that_never_expires_says_so(graph):
    graph.tokens.add(NEW_TOKEN)
    graph.debug_expires_at = 0
    assert graph_token_save(token=NEW_TOKEN).never_expires


def test_the_status_warns_before_the_token_lapses(graph, settings):
    settings.GRAPH_TOKEN_WARN_DAYS = 7
    graph.tokens.add(NEW_TOKEN)
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    graph.debug_expires_at = int(soon.timestamp())
    graph_token_save(token=NEW_TOKEN)
    status = graph_token_status()
    assert status["expires_soon"] and not status["expired"]
    assert (status["source"], status["hint"]) == ("admin", "…9b1c")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=4)
    assert graph_token_status(now=later)["expired"]


def test_the_environments_token_shows_only_its_hint(graph):
    status = graph_token_status()
    assert (status["source"], status["hint"]) == ("environment", "…4f2a")


def test_production_without_an_encryption_key_refuses_to_store_a_token(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_ENCRYPTION_KEY_REQUIRED = True
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY must be set"):
        secret_encrypt(plaintext="EAAGsecret")


def test_a_secret_stored_under_another_key_asks_to_be_entered_again(settings):
    settings.FIELD_ENCRYPTION_KEY = "k" * 43 + "="
    stored = secret_encrypt(plaintext="EAAGsecret")
    settings.FIELD_ENCRYPTION_KEY = "j" * 43 + "="
    with pytest.raises(ApplicationError, match="enter it again"):
        secret_decrypt(ciphertext=stored)


def test_no_log_line_carries_the_token_even_at_debug_level(graph, caplog):
    import logging

    graph.tokens.add(NEW_TOKEN)
    graph.add_account("logged", posts=1)
    with caplog.at_level(logging.DEBUG):
        graph_token_save(token=NEW_TOKEN)
        from tests.influencers.graph_helpers import refresh

        refresh(["logged"])
    urllib3_lines = [r for r in caplog.records if r.name.startswith("urllib3")]
    assert any("debug_token" in r.getMessage() for r in urllib3_lines)  # the URL is logged...
    assert all(NEW_TOKEN not in r.getMessage() for r in caplog.records)  # ...never the token


def _in_days(days: float) -> int:
    return int((dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).timestamp())


def test_the_environments_token_is_checked_and_its_expiry_shown_with_a_warning_before_it_lapses(
    graph, settings
):
    settings.GRAPH_TOKEN_WARN_DAYS = 7
    graph.debug_expires_at = _in_days(3)
    assert graph_token_status()["expires_at"] is None  # never checked: unknown
    assert graph_token_current_check().checked
    debug_call = graph.requests[-1]
    assert debug_call["path"].endswith("/debug_token")
    assert debug_call["authorization"] == f"Bearer {GOOD_TOKEN}"
    status = graph_token_status()
    assert (status["source"], status["hint"]) == ("environment", "…4f2a")
    assert status["expires_at"] == dt.datetime.fromtimestamp(graph.debug_expires_at, tz=dt.UTC)
    assert status["expires_soon"] and not status["expired"] and status["checked_at"]
    assert GOOD_TOKEN not in _stored_row_text()


def test_an_environment_token_that_never_expires_says_so(graph):
    graph.debug_expires_at = 0
    graph_token_current_check()
    status = graph_token_status()
    assert status["never_expires"] and status["expires_at"] is None


def test_the_expiry_of_an_old_token_is_not_shown_after_the_environments_token_changes(
    graph, settings
):
    graph.debug_expires_at = _in_days(2)
    graph_token_current_check()
    assert graph_token_status()["expires_soon"]
    graph.tokens.add(NEW_TOKEN)
    settings.INSTAGRAM_GRAPH_TOKEN = NEW_TOKEN
    status = graph_token_status()
    assert status["hint"] == "…9b1c"
    assert status["expires_at"] is None and status["checked_at"] is None
    assert not (status["expires_soon"] or status["expired"] or status["never_expires"])
    assert graph_token_check_due(token=NEW_TOKEN)


def test_an_unreachable_api_leaves_the_expiry_unknown_and_says_why(graph):
    graph.debug_expires_at = _in_days(30)
    graph.faults.extend([Fault(status=503)] * 3)
    check = graph_token_current_check()
    assert not check.checked and check.error_code == "server_error"
    status = graph_token_status()
    assert status["expires_at"] is None and status["checked_at"] is None
    assert not status["refused"] and graph_token_check_due(token=GOOD_TOKEN)


def test_an_unreachable_api_never_leaves_another_tokens_expiry_in_place(graph, settings):
    graph.debug_expires_at = _in_days(2)
    graph_token_current_check()
    graph.tokens.add(NEW_TOKEN)
    settings.INSTAGRAM_GRAPH_TOKEN = NEW_TOKEN
    graph.faults.extend([Fault(status=503)] * 3)
    assert not graph_token_current_check().checked
    credential = GraphCredential.objects.get()
    assert (credential.expires_at, credential.checked_fingerprint) == (None, "")


def test_a_190_at_the_check_marks_the_environments_token_refused(graph):
    graph.tokens.clear()  # Instagram answers every call with the expired-session error (190)
    with pytest.raises(TokenInvalid):
        graph_token_current_check()
    status = graph_token_status()
    assert status["refused"] and "Session has expired" in status["refused_reason"]
    assert status["expires_at"] is None
    assert GOOD_TOKEN not in _stored_row_text()


def test_a_token_checked_within_the_day_is_not_due_again(graph):
    graph_token_current_check()
    assert not graph_token_check_due(token=GOOD_TOKEN)
    tomorrow = timezone.now() + dt.timedelta(days=1, minutes=1)
    assert graph_token_check_due(token=GOOD_TOKEN, now=tomorrow)
