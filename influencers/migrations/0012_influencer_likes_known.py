"""Influencer.likes_known: stored with the style profile, so rankings never read posts for it."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def likes_known_fill(apps, schema_editor):
    """True for every influencer with a post whose likes were crawled (one UPDATE)."""
    Influencer = apps.get_model("influencers", "Influencer")
    Post = apps.get_model("influencers", "Post")
    Influencer.objects.filter(
        Exists(Post.objects.filter(influencer=OuterRef("pk"), likes__isnull=False))
    ).update(likes_known=True)


class Migration(migrations.Migration):
    dependencies = [
        ("influencers", "0011_influencer_needs_curation"),
    ]

    operations = [
        migrations.AddField(
            model_name="influencer",
            name="likes_known",
            field=models.BooleanField(default=False, verbose_name="likes visible"),
        ),
        # Reversing drops the column, so the fill has nothing to undo.
        migrations.RunPython(likes_known_fill, migrations.RunPython.noop),
    ]
