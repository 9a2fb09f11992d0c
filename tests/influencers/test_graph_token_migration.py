"""Migration influencers.0018: a token saved and checked before it keeps its expiry after it."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from common.secrets import secret_encrypt

BEFORE = [("influencers", "0017_catalogue_scale")]
SAVED_TOKEN = "EAAGsavedBeforeTheMigration5e6f"


@pytest.mark.django_db(transaction=True)
def test_a_token_checked_before_the_migration_still_shows_its_expiry_after_it(settings, at_leaf):
    settings.INSTAGRAM_GRAPH_TOKEN = ""
    expires = dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("influencers", "GraphCredential").objects.create(
        pk=1,
        token_encrypted=secret_encrypt(plaintext=SAVED_TOKEN),
        token_hint="…5e6f",
        expires_at=expires,
        checked_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # 0018 and what follows it

    from influencers.services.graph_token import graph_token_check_due, graph_token_status

    status = graph_token_status(now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
    assert (status["source"], status["expires_at"]) == ("admin", expires)
    assert not graph_token_check_due(
        token=SAVED_TOKEN, now=dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    )
