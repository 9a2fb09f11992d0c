"""manage.py train_style_model: the same training as `python -m mlcore.train`, then registration."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.html import escape

from common.errors import ApplicationError
from mlcore.model import StyleCheckpoint
from recommender.models import ModelVersion
from recommender.services.registry import model_version_activate, model_version_delete
from tests.factories import UserFactory


@pytest.mark.django_db
def test_train_style_model_trains_a_calibrated_checkpoint_and_registers_it(tmp_path):
    from mlcore.demo_images import demo_training_set_write
    from recommender.models import ModelVersion

    data = demo_training_set_write(tmp_path / "generated", per_style=2, size=(40, 48))
    out = tmp_path / "model.pt"
    stdout = io.StringIO()
    call_command(
        "train_style_model",
        *("--data", str(data), "--out", str(out), "--recipe", "fast-fit", "--epochs", "1"),
        *("--image-size", "32", "--workers", "0", "--threads", "1", "--val-fraction", "0.5"),
        "--register",
        stdout=stdout,
    )
    checkpoint = StyleCheckpoint.load(out)
    assert checkpoint.recipe["name"] == "fast-fit" and checkpoint.split.val_fraction == 0.5
    assert checkpoint.metrics["evaluation_set"] == "held-out 50% of generated, 23 images"
    assert (
        f"(majority baseline {checkpoint.metrics['majority_baseline']:.4f}; held-out 50% of "
        f"generated, 23 images), temperature {checkpoint.temperature:.3f}"
    ) in stdout.getvalue()
    version = ModelVersion.objects.get()
    assert version.metrics["val_top1"] == checkpoint.metrics["val_top1"]
    assert f"registered as model version {version.pk}" in stdout.getvalue()


@pytest.mark.django_db
def test_admin_refuses_to_delete_the_active_model_version(client, active_model):
    """Walkthrough (issue 18): admin could delete the active version, leaving no model to serve."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/recommender/modelversion/{active_model.pk}/delete/"
    change_url = f"/admin/recommender/modelversion/{active_model.pk}/change/"
    with translation.override("ko"):
        refusal = translation.gettext(
            "%(name)s is the active model version and cannot be deleted; activate another first."
        ) % {"name": active_model}
    for send in (client.get, client.post):
        response = send(url, {"post": "yes"} if send is client.post else None, follow=True)
        assert response.redirect_chain[-1][0].endswith(change_url)
        assert (
            escape(refusal)[1:] in response.content.decode()
        )  # admin capitalises the first letter
    changelist = client.get("/admin/recommender/modelversion/").content.decode()
    assert 'value="delete_selected"' not in changelist
    assert ModelVersion.objects.filter(pk=active_model.pk).exists()
    with pytest.raises(ApplicationError) as info:
        model_version_delete(model_version=active_model)
    assert info.value.code == "active_model_version"
    # Once another version is active, the old one is deleted like any other row.
    other = ModelVersion.objects.create(name="next", checkpoint_sha256="0" * 64, classes=[])
    model_version_activate(model_version_id=other.pk, reclassify=False)
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not ModelVersion.objects.filter(pk=active_model.pk).exists()
