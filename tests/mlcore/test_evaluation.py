"""Evaluation of a real checkpoint: which images it evaluates, what it reports, and that
`python -m mlcore.evaluate` and `manage.py evaluate_style_model` are one code path.

The command's test lives here, beside the module's, because both need this session's trained model.
"""

import io
import json

import numpy as np
import pytest
from django.core.management import call_command

from mlcore import evaluate
from mlcore.kfashion import held_out_split, records_scan, training_sample
from tests.mlcore.conftest import TRAINING_TIMEOUT, unseen_records

pytestmark = [pytest.mark.slow, pytest.mark.timeout(TRAINING_TIMEOUT)]


@pytest.fixture
def new_folder(trained, tmp_path):
    """20 images of each style that the model never saw, with their label JSON, in a new folder."""
    root = tmp_path / "new-photos"
    for record in unseen_records(trained.data, per_style=20):
        folder = root / record.image_path.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        for source in (record.image_path, record.image_path.with_suffix(".json")):
            (folder / source.name).symlink_to(source)
    return root


def test_on_its_training_folder_only_the_held_out_split_is_evaluated(trained, tmp_path, capsys):
    out = tmp_path / "eval.json"
    evaluate.main(["--data", str(trained.data), "--model", str(trained.path), "--json", str(out)])
    metrics = json.loads(out.read_text(encoding="utf-8"))
    split = trained.checkpoint.split
    _, held_out = held_out_split(training_sample(records_scan(trained.data), split), split)
    assert metrics["evaluation_set"]["held_out_only"] is True
    assert metrics["evaluation_set"]["images"] == metrics["images"] == len(held_out) == 120
    # the same images and the same model: the held-out accuracy the training run recorded
    assert metrics["top1"] == pytest.approx(trained.checkpoint.metrics["val_top1"], abs=1 / 120)
    printed = capsys.readouterr().out
    assert f"held-out 20% of {trained.data.name}" in printed and "120 images" in printed


def test_on_a_folder_it_was_not_trained_on_every_image_is_evaluated(trained, new_folder, capsys):
    metrics = evaluate.evaluation_run(
        evaluate.parser_build().parse_args(
            ["--data", str(new_folder), "--model", str(trained.path)]
        )
    )
    assert metrics["evaluation_set"]["held_out_only"] is False
    assert metrics["images"] == 40
    assert metrics["per_style"]["romantic"]["support"] == 20
    printed = capsys.readouterr().out
    assert "every image of new-photos (not the model's training folder): 40 images" in printed


def test_the_report_has_per_style_scores_calibration_and_a_confusion_matrix_png(
    trained, new_folder, tmp_path
):
    out = tmp_path / "eval.json"
    evaluate.main(["--data", str(new_folder), "--model", str(trained.path), "--json", str(out)])
    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert set(metrics["per_style"]) == {"romantic", "resort"}
    assert {"precision", "recall", "f1", "support"} <= set(metrics["per_style"]["resort"])
    confusion = np.array(metrics["confusion_matrix"])
    assert confusion.sum() == metrics["images"] == 40
    assert np.trace(confusion) / confusion.sum() == pytest.approx(metrics["top1"])
    calibration = metrics["calibration"]
    assert calibration["ece_bins"] == 15
    assert calibration["temperature"] == pytest.approx(trained.checkpoint.temperature)
    assert 0 < calibration["ece_after"] and 0 < calibration["ece_before"]
    assert out.with_suffix(".png").read_bytes().startswith(b"\x89PNG")


def test_the_manage_py_command_runs_the_same_evaluation_and_says_which_images(
    trained, tmp_path, capsys
):
    by_module, by_command = tmp_path / "module.json", tmp_path / "command.json"
    evaluate.main(
        ["--data", str(trained.data), "--model", str(trained.path), "--json", str(by_module)]
    )
    stdout = io.StringIO()
    call_command(
        "evaluate_style_model",
        "--data",
        str(trained.data),
        "--model",
        str(trained.path),
        "--json",
        str(by_command),
        stdout=stdout,
    )
    assert json.loads(by_command.read_text()) == json.loads(by_module.read_text())
    assert "held-out 20%" in stdout.getvalue() and "120 images" in stdout.getvalue()
    assert "expected calibration error (15 equal-width bins)" in stdout.getvalue()


def test_the_command_refuses_a_file_that_is_not_a_checkpoint(two_styles, tmp_path):
    from django.core.management import CommandError

    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CommandError, match="not a readable checkpoint"):
        call_command("evaluate_style_model", "--data", str(two_styles), "--model", str(bad))
