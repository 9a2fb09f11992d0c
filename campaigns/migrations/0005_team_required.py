import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0004_brand_teams")]

    operations = [
        migrations.AlterField(
            model_name="campaign",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="campaigns",
                to="accounts.team",
                verbose_name="team",
            ),
        ),
    ]
