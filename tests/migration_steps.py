"""Running migrations inside a test, for the tests of data migrations: rows are made with the
historic models before a migration and checked after it (and after migrating back); the fixture
`at_leaf` (tests/conftest.py) leaves the schema at its end for the next test."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` ([(app, migration), ...]); the historic apps registry there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_the_end():
    """Every app at its latest migration (the tests' fixture `at_leaf` runs it after a test)."""
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
