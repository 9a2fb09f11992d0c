"""The ranking's filters on each style-share row (issue 25: the similarity ranking at scale).

The ranking walks each asked style's rows in descending evidence; about four in five of them
belonged to influencers outside the query's gender and body size, read and thrown away. Each row
now keeps the influencer's gender and body size and whether a ranking may recommend it (active,
gender and size set), so the walk reads only rows in its filters, from indexes led by them
(PostgreSQL).

Database triggers keep the copies, so no path that writes either table can leave them stale: a
row takes the influencer's values when it is written, and an influencer's change of gender, body
size or activity reaches its rows in the same statement (PostgreSQL and SQLite alike). SQLite
drops a table's triggers when a migration rebuilds the table (an altered field): such a migration
must create them again (a test checks they exist at the latest migration).
"""

from django.db import migrations, models

_RANKABLE = "{t}.is_active AND {t}.gender <> '' AND {t}.body_size <> ''"

_POSTGRESQL_UP = [
    f"""
    CREATE OR REPLACE FUNCTION influencer_style_share_copy() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        SELECT i.gender, i.body_size, {_RANKABLE.format(t="i")}
        INTO NEW.gender, NEW.body_size, NEW.rankable
        FROM influencers_influencer i WHERE i.id = NEW.influencer_id
        -- A change of the influencer not yet committed is waited for and then read; one that
        -- comes later waits for this transaction, and its follow trigger then sees this row.
        -- Without the lock, a profile rebuild while staff curate the influencer left the copy
        -- stale (tests/influencers/test_style_share_filters.py).
        FOR SHARE;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER influencer_style_share_copy
    BEFORE INSERT OR UPDATE ON influencers_influencerstyleshare
    FOR EACH ROW EXECUTE FUNCTION influencer_style_share_copy()
    """,
    f"""
    CREATE OR REPLACE FUNCTION influencer_style_shares_follow() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE influencers_influencerstyleshare
        SET gender = NEW.gender, body_size = NEW.body_size, rankable = {_RANKABLE.format(t="NEW")}
        WHERE influencer_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER influencer_style_shares_follow
    AFTER UPDATE OF gender, body_size, is_active ON influencers_influencer
    FOR EACH ROW WHEN (
        OLD.gender IS DISTINCT FROM NEW.gender
        OR OLD.body_size IS DISTINCT FROM NEW.body_size
        OR OLD.is_active IS DISTINCT FROM NEW.is_active
    ) EXECUTE FUNCTION influencer_style_shares_follow()
    """,
    "UPDATE influencers_influencerstyleshare SET influencer_id = influencer_id",  # fill
    # The walk of a query with a gender and a body size: one range of the index, read alone.
    "CREATE INDEX IF NOT EXISTS style_consumer_evidence_filtered ON "
    "influencers_influencerstyleshare (style, gender, body_size, consumer_evidence DESC, "
    "influencer_id) INCLUDE (posts) WHERE rankable",
    "CREATE INDEX IF NOT EXISTS style_brand_evidence_filtered ON "
    "influencers_influencerstyleshare (style, gender, body_size, brand_evidence DESC, "
    "influencer_id) INCLUDE (posts) WHERE rankable",
]
_POSTGRESQL_DOWN = [
    "DROP INDEX IF EXISTS style_brand_evidence_filtered",
    "DROP INDEX IF EXISTS style_consumer_evidence_filtered",
    "DROP TRIGGER IF EXISTS influencer_style_shares_follow ON influencers_influencer",
    "DROP FUNCTION IF EXISTS influencer_style_shares_follow()",
    "DROP TRIGGER IF EXISTS influencer_style_share_copy ON influencers_influencerstyleshare",
    "DROP FUNCTION IF EXISTS influencer_style_share_copy()",
]
_SQLITE_COPY = (
    "UPDATE influencers_influencerstyleshare SET "
    "gender = (SELECT i.gender FROM influencers_influencer i WHERE i.id = {row}.influencer_id), "
    "body_size = (SELECT i.body_size FROM influencers_influencer i "
    "WHERE i.id = {row}.influencer_id), "
    f"rankable = (SELECT {_RANKABLE.format(t='i')} FROM influencers_influencer i "
    "WHERE i.id = {row}.influencer_id)"
)
_SQLITE_UP = [
    "CREATE TRIGGER influencer_style_share_copy AFTER INSERT ON influencers_influencerstyleshare "
    "BEGIN " + _SQLITE_COPY.format(row="NEW") + " WHERE id = NEW.id; END",
    "CREATE TRIGGER influencer_style_share_moved AFTER UPDATE OF influencer_id "
    "ON influencers_influencerstyleshare BEGIN "
    + _SQLITE_COPY.format(row="NEW")
    + " WHERE id = NEW.id; END",
    "CREATE TRIGGER influencer_style_shares_follow "
    "AFTER UPDATE OF gender, body_size, is_active ON influencers_influencer BEGIN "
    "UPDATE influencers_influencerstyleshare SET gender = NEW.gender, body_size = NEW.body_size, "
    f"rankable = ({_RANKABLE.format(t='NEW')}) WHERE influencer_id = NEW.id; END",
    _SQLITE_COPY.format(row="influencers_influencerstyleshare"),  # fill
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS influencer_style_shares_follow",
    "DROP TRIGGER IF EXISTS influencer_style_share_moved",
    "DROP TRIGGER IF EXISTS influencer_style_share_copy",
]


def _triggers_create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": _POSTGRESQL_UP, "sqlite": _SQLITE_UP}.get(vendor, []):
        schema_editor.execute(sql)


def _triggers_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": _POSTGRESQL_DOWN, "sqlite": _SQLITE_DOWN}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("influencers", "0021_ranking_evidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="influencerstyleshare",
            name="body_size",
            field=models.CharField(blank=True, default="", editable=False, max_length=1),
        ),
        migrations.AddField(
            model_name="influencerstyleshare",
            name="gender",
            field=models.CharField(blank=True, default="", editable=False, max_length=1),
        ),
        migrations.AddField(
            model_name="influencerstyleshare",
            name="rankable",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(_triggers_create, _triggers_drop),
    ]
