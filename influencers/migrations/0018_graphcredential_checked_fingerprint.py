"""The token expiry read with debug_token is kept with the fingerprint of the token it was read
for, so the expiry of one token never shows for another (a new INSTAGRAM_GRAPH_TOKEN).

A token saved in admin and checked before this migration keeps its expiry: its fingerprint is
filled in here. Where the stored token cannot be read (another encryption key, or none set in
production yet), its expiry shows as unknown until the next refresh run checks it again.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models


def _fingerprint_stored_tokens(apps, schema_editor):
    from common.secrets import SecretUnreadable, secret_decrypt, secret_fingerprint

    GraphCredential = apps.get_model("influencers", "GraphCredential")
    checked = GraphCredential.objects.exclude(token_encrypted="").filter(checked_at__isnull=False)
    for credential in checked:
        try:
            token = secret_decrypt(ciphertext=credential.token_encrypted)
        except (SecretUnreadable, ImproperlyConfigured):
            continue
        credential.checked_fingerprint = secret_fingerprint(plaintext=token)
        credential.save(update_fields=["checked_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("influencers", "0017_catalogue_scale"),
    ]

    operations = [
        migrations.AddField(
            model_name="graphcredential",
            name="checked_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.RunPython(
            _fingerprint_stored_tokens, migrations.RunPython.noop, elidable=True
        ),
    ]
