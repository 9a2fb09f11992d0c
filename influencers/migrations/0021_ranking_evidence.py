"""The similarity ranking's per-style evidence kept with each InfluencerStyleShare row (issue 25):
the ranking walks the rows of each query style in descending evidence and stops once nobody unread
can reach its places, instead of reading every poster's style_stats.

consumer_evidence and brand_evidence are mlcore.ranking.style_evidence's shares (of every
classified post; of the likes of those posts), which influencer_style_profile_rebuild writes from
now on. This migration fills them from each profile's style_stats a chunk of influencers at a
time (one UPDATE per chunk on PostgreSQL), then builds the indexes the ranking reads (each
style's rows in descending evidence; each influencer's row of a style; on PostgreSQL, a narrow
index of what it reads of each influencer, so that all three are read from the index alone once
the tables are vacuumed) and refreshes the planner's statistics of the table.
"""

from django.db import migrations, models

CHUNK = 2000


def _fill(apps, schema_editor):
    from mlcore.ranking import style_evidence
    from mlcore.styles import STYLE_CODES

    Influencer = apps.get_model("influencers", "Influencer")
    StyleShare = apps.get_model("influencers", "InfluencerStyleShare")
    postgresql = schema_editor.connection.vendor == "postgresql"
    last = 0
    while True:
        chunk = list(
            Influencer.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "style_stats")[:CHUNK]
        )
        if not chunk:
            return
        last = chunk[-1][0]
        rows = []  # (influencer, style, consumer evidence, brand evidence) of each style posted
        for pk, stats in chunk:
            stats = stats or {}
            by_posts, posts = style_evidence(stats, by_likes=False)
            by_likes, _ = style_evidence(stats, by_likes=True)
            rows += [
                (pk, code, float(by_posts[i]), float(by_likes[i]))
                for i, code in enumerate(STYLE_CODES)
                if posts[i] > 0
            ]
        if not rows:
            continue
        if postgresql:
            schema_editor.execute(
                "UPDATE influencers_influencerstyleshare s SET consumer_evidence = u.consumer, "
                "brand_evidence = u.brand FROM unnest(%s::bigint[], %s::text[], %s::float8[], "
                "%s::float8[]) AS u(influencer_id, style, consumer, brand) "
                "WHERE s.influencer_id = u.influencer_id AND s.style = u.style",
                [list(column) for column in zip(*rows, strict=True)],
            )
            continue
        evidence = {(pk, code): (consumer, brand) for pk, code, consumer, brand in rows}
        shares = list(StyleShare.objects.filter(influencer_id__in=[pk for pk, _ in chunk]))
        for share in shares:
            share.consumer_evidence, share.brand_evidence = evidence.get(
                (share.influencer_id, share.style), (0.0, 0.0)
            )
        StyleShare.objects.bulk_update(shares, ["consumer_evidence", "brand_evidence"])


# PostgreSQL: what the ranking reads of each influencer it walks past (its filters and the numbers
# of InfluencerQuerySet.with_engagement), from this narrow index alone instead of the wide row.
_RANKING_NUMBERS = (
    "CREATE INDEX IF NOT EXISTS influencer_ranking_numbers ON influencers_influencer (id) "
    "INCLUDE (is_active, gender, body_size, likes_known, classified_post_count, post_count, "
    "total_likes, followers)"
)


def _ranking_numbers_index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_RANKING_NUMBERS)


def _ranking_numbers_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS influencer_ranking_numbers")


def _statistics_refresh(apps, schema_editor):
    # Every row was just rewritten: the planner's statistics of the new columns, so the ranking's
    # first queries walk the new indexes instead of reading the style's every row.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE influencers_influencerstyleshare")


class Migration(migrations.Migration):
    dependencies = [
        ("influencers", "0020_influencer_search_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="influencerstyleshare",
            name="brand_evidence",
            field=models.FloatField(default=0),
        ),
        migrations.AddField(
            model_name="influencerstyleshare",
            name="consumer_evidence",
            field=models.FloatField(default=0),
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="influencerstyleshare",
            index=models.Index(
                fields=["style", "-consumer_evidence", "influencer"],
                include=["posts"],
                name="style_consumer_evidence",
            ),
        ),
        migrations.AddIndex(
            model_name="influencerstyleshare",
            index=models.Index(
                fields=["style", "-brand_evidence", "influencer"],
                include=["posts"],
                name="style_brand_evidence",
            ),
        ),
        migrations.AddIndex(
            model_name="influencerstyleshare",
            index=models.Index(
                fields=["influencer", "style"],
                include=["posts", "consumer_evidence", "brand_evidence"],
                name="style_share_numbers",
            ),
        ),
        migrations.RunPython(_ranking_numbers_index_create, _ranking_numbers_index_drop),
        migrations.RunPython(_statistics_refresh, migrations.RunPython.noop),
    ]
