"""The apps form layers and everything runs one way (docs/architecture.md).

mlcore < common < accounts < influencers < recommender < campaigns: a module may import its own
app and the apps below it, never one above (a lower app that must trigger a higher one sends a
signal). mlcore is plain Python + torch and imports neither Django nor any app.

Imports are not the only way up: a model's relation field (ForeignKey, OneToOneField,
ManyToManyField) ties its table to the related app's, and a migration's dependency makes the
lower app's schema wait for the higher one's. Both are read here too, from the app registry and
the migration loader, so a relation that needs no import is still seen.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.test.utils import isolate_apps

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["mlcore", "common", "accounts", "influencers", "recommender", "campaigns"]

# The one relation that points up, and why. A post records which style model classified it
# (Post.model_version, SET_NULL): re-classification reads it to tell which posts a new model has
# still to do, and admin shows it. The model registry is the recommender's (it trains, registers
# and serves models), so the schema points up while no influencers code imports recommender:
# the recommender fills the field (recommender/services/classification.py).
ALLOWED_UPWARD_RELATIONS = {
    "influencers.Post.model_version -> recommender.ModelVersion": "the post's classifier",
}
# The migrations that relation brings: Django's autodetector makes influencers migrations that
# create or alter Post depend on the recommender migration that holds ModelVersion's state.
ALLOWED_UPWARD_MIGRATION_DEPENDENCIES = {("influencers", "recommender")}


def layer(app_label: str) -> int | None:
    """The app's place in the layers; None for Django's and third-party apps (below them all)."""
    return LAYERS.index(app_label) if app_label in LAYERS else None


def is_upward(app_label: str, target_label: str) -> bool:
    here, there = layer(app_label), layer(target_label)
    return here is not None and there is not None and there > here


def imported_top_level_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def upward_imports(app: str) -> list[str]:
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for module in imported_top_level_modules(path) & set(LAYERS) - allowed:
            found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


def upward_relations(model_classes) -> list[str]:
    """Every relation field a model declares whose related model is in a higher app, as
    "app.Model.field -> app.Model" (the allowed one left out)."""
    found = []
    for model in model_classes:
        for field in model._meta.get_fields():
            if not isinstance(field, (models.ForeignKey, models.ManyToManyField)):
                continue  # reverse relations are declared (and checked) on the other model
            related = field.related_model
            if is_upward(model._meta.app_label, related._meta.app_label):
                name = f"{model._meta.label}.{field.name} -> {related._meta.label}"
                if name not in ALLOWED_UPWARD_RELATIONS:
                    found.append(name)
    return sorted(found)


def upward_migration_dependencies(migration_list) -> list[str]:
    """Every migration dependency on a higher app, as "app.migration -> app.migration" (the
    dependencies the allowed relation brings left out)."""
    found = []
    for migration in migration_list:
        for target_app, target_name in migration.dependencies:
            if not is_upward(migration.app_label, target_app):
                continue
            if (migration.app_label, target_app) in ALLOWED_UPWARD_MIGRATION_DEPENDENCIES:
                continue
            found.append(f"{migration.app_label}.{migration.name} -> {target_app}.{target_name}")
    return sorted(found)


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_imports_an_app_above_it(app):
    assert upward_imports(app) == []


def test_mlcore_imports_no_django():
    found = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "mlcore").rglob("*.py"))
        if {"django", "rest_framework", "celery"} & imported_top_level_modules(path)
    ]
    assert found == []


def test_the_check_sees_an_upward_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from campaigns.models import Campaign\n")
    assert imported_top_level_modules(sample) == {"campaigns"}


def test_no_model_relates_to_a_model_of_an_app_above_it():
    assert upward_relations(apps.get_models(include_auto_created=True)) == []


def test_the_one_upward_relation_allowed_still_exists_as_described():
    """An exception for a field that is gone or changed would silently allow a new one."""
    from influencers.models import Post
    from recommender.models import ModelVersion

    field = Post._meta.get_field("model_version")
    assert field.related_model is ModelVersion
    assert field.remote_field.on_delete is models.SET_NULL


def test_no_migration_depends_on_an_app_above_it():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = [m for (app, _), m in loader.disk_migrations.items() if app in LAYERS]
    assert ours, "no migration read"
    assert upward_migration_dependencies(ours) == []


@isolate_apps("accounts")
def test_the_check_sees_an_upward_foreign_key():
    from campaigns.models import Campaign

    class Upward(models.Model):  # noqa: DJ008 (never shown)
        campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
        campaigns = models.ManyToManyField(Campaign, related_name="+")

        class Meta:
            app_label = "accounts"

    assert upward_relations([Upward]) == [
        "accounts.Upward.campaign -> campaigns.Campaign",
        "accounts.Upward.campaigns -> campaigns.Campaign",
    ]


@isolate_apps("campaigns")
def test_the_check_lets_a_relation_point_down():
    from influencers.models import Influencer

    class Downward(models.Model):  # noqa: DJ008 (never shown)
        influencer = models.OneToOneField(Influencer, on_delete=models.CASCADE)

        class Meta:
            app_label = "campaigns"

    assert upward_relations([Downward]) == []


def test_the_check_sees_an_upward_migration_dependency():
    class Migration(migrations.Migration):
        dependencies = [("accounts", "0001_initial"), ("recommender", "0001_initial")]

    assert upward_migration_dependencies([Migration("0099_sample", "accounts")]) == [
        "accounts.0099_sample -> recommender.0001_initial"
    ]
    # the dependency the allowed relation brings is allowed only from influencers to recommender
    assert upward_migration_dependencies([Migration("0099_sample", "influencers")]) == []
