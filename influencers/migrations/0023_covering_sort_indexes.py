"""The list's sort indexes carry the columns its filters read (issue 25: filters at scale).

When more influencers match than are counted, the list reads its page's keys first and the rows
after them (common.pagination.CappedCountPaginator). With the filtered columns in the sort index,
that walk reads index entries only: an order whose first entries a filter removes (the most
engaged accounts are small ones, which a followers filter drops) walks past thousands of entries
instead of thousands of wide rows (32 to 4 ms at 100,000 influencers). PostgreSQL only; the same
names as migration 0017's indexes, which they replace.
"""

from django.db import migrations

# Every column a list filter or sort reads (influencers.filters, InfluencerQuerySet).
_FILTERED = [
    "id",
    "is_active",
    "gender",
    "body_size",
    "followers",
    "last_posted_at",
    "total_likes",
    "post_count",
    "sponsored_share",
    "brand_style",
    "consumer_style",
    "consumer_style_share",
]
_ENGAGEMENT = (
    "((total_likes / (NULLIF(post_count, 0))::double precision)"
    " / (NULLIF(followers, 0))::double precision)"
)
# name: (key, its plain columns) as migration 0017 made them.
_SORTS = {
    "influencer_by_handle": ("(handle)", set()),
    "influencer_by_followers": ("(followers DESC NULLS LAST, handle)", {"followers"}),
    "influencer_by_engagement": (f"(({_ENGAGEMENT}) DESC NULLS LAST, handle)", set()),
    "influencer_by_own_style_share": (
        "(consumer_style_share DESC, handle)",
        {"consumer_style_share"},
    ),
    "influencer_by_last_post": ("(last_posted_at DESC NULLS LAST, handle)", {"last_posted_at"}),
}


def _indexes_cover(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (key, plain) in _SORTS.items():
        include = ", ".join(c for c in _FILTERED if c not in plain)
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(
            f"CREATE INDEX {name} ON influencers_influencer {key} INCLUDE ({include})"
        )


def _indexes_uncover(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (key, _plain) in _SORTS.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON influencers_influencer {key}")


class Migration(migrations.Migration):
    dependencies = [
        ("influencers", "0022_style_share_filters"),
    ]

    operations = [migrations.RunPython(_indexes_cover, _indexes_uncover)]
