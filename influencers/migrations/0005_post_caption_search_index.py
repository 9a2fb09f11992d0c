"""A trigram index on captions for the influencer search (PostgreSQL only).

The search is `caption__icontains`, which Django writes as UPPER(caption) LIKE UPPER('%term%');
a GIN index of pg_trgm over UPPER(caption) serves it. pg_trgm indexes Korean words too where the
database's locale counts Hangul as letters (C.UTF-8 and the usual UTF-8 locales do).
SQLite has no such index; its LIKE scan is the fallback.
"""

from django.db import migrations


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS post_caption_trgm ON influencers_post "
        "USING gin (UPPER(caption) gin_trgm_ops)"
    )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS post_caption_trgm")


class Migration(migrations.Migration):
    dependencies = [("influencers", "0004_background_job_state")]

    operations = [migrations.RunPython(_create, _drop, elidable=False)]
