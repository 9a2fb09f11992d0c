"""A unique case-folded username column, filled for existing accounts.

Accounts that already share a key (possible on SQLite, whose lower() folds ASCII only) all keep
working: the oldest keeps the plain key, the others get `<key>#<id>`, and no new account can take
that spelling any more.
"""

import accounts.usernames
from django.db import migrations, models


def username_keys_fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    seen = set()
    for user in User.objects.order_by("pk").only("pk", "username"):
        key = accounts.usernames.username_key(user.username)
        if key in seen:
            key = f"{key[:140]}#{user.pk}"
        seen.add(key)
        User.objects.filter(pk=user.pk).update(username_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.RunPython(username_keys_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(
                editable=False,
                error_messages={"unique": "This username is taken."},
                max_length=150,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "This username is taken."},
                max_length=150,
                unique=True,
                validators=[accounts.usernames.UsernameValidator()],
                verbose_name="username",
            ),
        ),
    ]
