"""The search words move to a narrow table of their own (issue 25: a search at catalogue scale).

A word most influencers use matched most rows, and checking a row meant reading its stored
tsvector (tens of KB, kept out of line): the planner counts that check as nearly free, so it
walked rows and read vectors, and read the wide influencer rows for every match. Now:

- InfluencerSearchWords holds the caption and keyword words, and the words and parts of the
  handle and display name (every ending of three characters or more, so that a search word is
  found anywhere in a name through the same index; the trigram indexes on the names go).
- PostgreSQL: a stored tsvector of both with a GIN index, small rows (the table keeps every
  value over 128 bytes out of line), and influencer_search_ids(tsquery), which returns the
  matching ids from that index with sequential scans off for its one query. The influencer
  table's stored vector goes.

Existing words are kept (one per line); the names are indexed here, no caption is read.
"""

import django.db.models.deletion
from django.db import migrations, models

NAME_PART_MARK = "@"  # influencers.search.NAME_PART_MARK when this was written
NAME_PART_MIN_LENGTH = 3  # influencers.search.NAME_PART_MIN_LENGTH
CHUNK = 2000


def _names(handle: str, display_name: str) -> str:
    # influencers.services.search_index.search_names_build when this was written.
    from mlcore.keywords import search_words_of

    words = {w for name in (handle, display_name) for w in search_words_of(name)}
    for name in (handle, display_name):
        name = " ".join(name.lower().split())
        words.update(
            NAME_PART_MARK + name[start:]
            for start in range(len(name) - NAME_PART_MIN_LENGTH + 1)
            if not name[start].isspace()
        )
    return "\n".join(sorted(words))


def _newline(connection) -> str:
    return "E'\\n'" if connection.vendor == "postgresql" else "char(10)"


def _words_move(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO influencers_influencersearchwords (influencer_id, words, names) "
            f"SELECT id, replace(search_words, ' ', {_newline(connection)}), '' "
            "FROM influencers_influencer"
        )
    Influencer = apps.get_model("influencers", "Influencer")
    SearchWords = apps.get_model("influencers", "InfluencerSearchWords")
    rows = Influencer.objects.order_by("pk").values_list("pk", "handle", "display_name")
    batch = []
    for pk, handle, display_name in rows.iterator(chunk_size=CHUNK):
        batch.append(SearchWords(influencer_id=pk, names=_names(handle, display_name)))
        if len(batch) == CHUNK:
            SearchWords.objects.bulk_update(batch, ["names"])
            batch = []
    SearchWords.objects.bulk_update(batch, ["names"])


def _words_move_back(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE influencers_influencer SET search_words = COALESCE(("
            f"SELECT replace(s.words, {_newline(connection)}, ' ') "
            "FROM influencers_influencersearchwords s "
            "WHERE s.influencer_id = influencers_influencer.id), '')"
        )


_VECTOR = (
    "ALTER TABLE influencers_influencersearchwords ADD COLUMN IF NOT EXISTS vector tsvector "
    "GENERATED ALWAYS AS (array_to_tsvector(array_remove("
    "string_to_array(words || E'\\n' || names, E'\\n'), ''))) STORED"
)
# Sequential scans off for this one query, whatever the session's settings: a row-by-row check of
# the vectors costs a detoasted vector per row, which the planner does not count.
_IDS_FUNCTION = """
CREATE OR REPLACE FUNCTION influencer_search_ids(query tsquery) RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
AS $$
    SELECT COALESCE(array_agg(influencer_id), '{}')
    FROM influencers_influencersearchwords WHERE vector @@ query
$$
"""
_OLD_INDEXES = {
    "influencer_handle_trgm": "USING gin (UPPER(handle) gin_trgm_ops)",
    "influencer_display_name_trgm": "USING gin (UPPER(display_name) gin_trgm_ops)",
}


def _indexes_move(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The stored vector and its GIN index (migration 0017) go with the column.
    schema_editor.execute("ALTER TABLE influencers_influencer DROP COLUMN IF EXISTS search_vector")
    for name in _OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    # Small rows: the index's matches are read from a few pages, not one page per influencer.
    schema_editor.execute(
        "ALTER TABLE influencers_influencersearchwords SET (toast_tuple_target = 128)"
    )
    schema_editor.execute(_VECTOR)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS influencer_search_words_vector "
        "ON influencers_influencersearchwords USING gin (vector)"
    )
    schema_editor.execute(_IDS_FUNCTION)


def _indexes_move_back(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS influencer_search_ids(tsquery)")
    schema_editor.execute(
        "ALTER TABLE influencers_influencersearchwords DROP COLUMN IF EXISTS vector"
    )
    schema_editor.execute(
        "ALTER TABLE influencers_influencer ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_words, ' '))) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS influencer_search_vector "
        "ON influencers_influencer USING gin (search_vector)"
    )
    for name, definition in _OLD_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON influencers_influencer {definition}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("influencers", "0019_savedsearch_team"),
    ]

    operations = [
        migrations.CreateModel(
            name="InfluencerSearchWords",
            fields=[
                (
                    "influencer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_words",
                        serialize=False,
                        to="influencers.influencer",
                    ),
                ),
                ("words", models.TextField(blank=True, default="")),
                ("names", models.TextField(blank=True, default="")),
            ],
            options={
                "verbose_name": "search words",
                "verbose_name_plural": "search words",
            },
        ),
        migrations.RunPython(_words_move, _words_move_back),
        migrations.RunPython(_indexes_move, _indexes_move_back),
        migrations.RemoveField(
            model_name="influencer",
            name="search_words",
        ),
    ]
