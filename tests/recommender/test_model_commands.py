"""manage.py train_style_model: the same training as `python -m mlcore.train`, then registration."""

import io

import pytest
from django.core.management import call_command

from mlcore.model import StyleCheckpoint


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
