"""Calibrated confidence: the temperature fit, the calibration error, and the probabilities the
classifier shows (fp32 and int8)."""

import numpy as np
import pytest
import torch

from mlcore import evaluate
from mlcore.calibration import (
    expected_calibration_error,
    negative_log_likelihood,
    softmax_with_temperature,
    temperature_fit,
)
from mlcore.inference import StyleClassifier
from mlcore.model import CHECKPOINT_FORMAT, StyleCheckpoint
from mlcore.styles import TAXONOMY_INDEX
from tests.conftest import jpeg_bytes
from tests.mlcore.conftest import TRAINING_TIMEOUT, unseen_records


def test_the_fit_recovers_the_temperature_that_generated_the_labels():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=4.0, size=(20_000, 5))
    # labels drawn from softmax(logits / 2.5): a model whose logits are 2.5 times too sure
    probabilities = softmax_with_temperature(logits, 2.5)
    labels = np.array([rng.choice(5, p=p) for p in probabilities])
    fitted = temperature_fit(logits, labels)
    assert fitted == pytest.approx(2.5, rel=0.05)
    assert negative_log_likelihood(logits, labels, fitted) < negative_log_likelihood(
        logits, labels, 1.0
    )


def test_a_fitted_temperature_stays_within_its_bounds_and_is_one_without_data():
    logits = np.array([[5.0, 0.0], [0.0, 5.0]])
    assert temperature_fit(logits, np.array([0, 1])) == pytest.approx(0.1, rel=1e-3)  # all right
    assert temperature_fit(logits, np.array([1, 0])) == pytest.approx(50.0, rel=1e-3)  # all wrong
    assert temperature_fit(np.empty((0, 2)), np.array([], dtype=int)) == 1.0


def test_temperature_scaling_never_changes_which_class_comes_first():
    logits = np.random.default_rng(1).normal(size=(200, 23))
    for temperature in (0.3, 1.0, 4.0):
        scaled = softmax_with_temperature(logits, temperature)
        np.testing.assert_array_equal(scaled.argmax(1), logits.argmax(1))
        np.testing.assert_allclose(scaled.sum(1), 1.0)


def test_the_calibration_error_is_the_gap_between_confidence_and_accuracy_per_bin():
    # 10 predictions at 0.9 confidence, 5 right: one bin, |0.5 - 0.9| = 0.4
    sure = np.tile([0.9, 0.1], (10, 1))
    assert expected_calibration_error(sure, np.array([0] * 5 + [1] * 5)) == pytest.approx(0.4)
    # half at 0.9 and 90 % right, half at 0.6 and 60 % right: calibrated
    calibrated = np.vstack([np.tile([0.9, 0.1], (10, 1)), np.tile([0.4, 0.6], (10, 1))])
    labels = np.array([0] * 9 + [1] + [1] * 6 + [0] * 4)
    assert expected_calibration_error(calibrated, labels) == pytest.approx(0.0, abs=1e-12)
    # bins are weighted by their share: 0.4 on half of the predictions
    mixed = np.vstack([sure, np.tile([0.4, 0.6], (10, 1))])
    mixed_labels = np.array([0] * 5 + [1] * 5 + [1] * 6 + [0] * 4)
    assert expected_calibration_error(mixed, mixed_labels) == pytest.approx(0.2)


@pytest.mark.slow
@pytest.mark.timeout(TRAINING_TIMEOUT)
def test_calibration_lowers_the_calibration_error_on_images_held_out_from_the_fit(trained):
    """The temperature is fitted on the validation split; the error is measured on 300 other
    images, never seen in training, model selection or the fit."""
    checkpoint = trained.checkpoint
    assert checkpoint.temperature > 1.2  # this short run is over-confident, as measured
    metrics = evaluate.evaluate(trained.path, unseen_records(trained.data))
    before, after = metrics["calibration"]["ece_before"], metrics["calibration"]["ece_after"]
    assert after < 0.7 * before, metrics["calibration"]
    # the validation split's figures are recorded in the checkpoint too
    assert checkpoint.metrics["val_ece_after"] < checkpoint.metrics["val_ece_before"]


def taxonomy_columns(path) -> list[int]:
    """Where each of the checkpoint's classes sits in the probabilities over the taxonomy."""
    return [TAXONOMY_INDEX[code] for code in StyleCheckpoint.load(path).classes]


def checkpoint_copy_with(path, tmp_path, **changes):
    checkpoint = StyleCheckpoint.load(path)
    for key, value in changes.items():
        setattr(checkpoint, key, value)
    out = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}.pt"
    checkpoint.save(out)
    return out


@pytest.mark.parametrize("quantized", [False, True], ids=["fp32", "int8"])
def test_the_classifier_shows_probabilities_softened_by_the_checkpoints_temperature(
    tiny_checkpoint, tmp_path, quantized
):
    images = [jpeg_bytes((i * 50 % 255, 120, 220 - i * 40)) for i in range(5)]
    as_trained = checkpoint_copy_with(tiny_checkpoint, tmp_path, temperature=1.0)
    softened = checkpoint_copy_with(tiny_checkpoint, tmp_path, temperature=3.0)

    def classifier(path):
        return StyleClassifier(path, quantized=quantized, calibration_sources=images)

    columns = taxonomy_columns(tiny_checkpoint)
    logits = classifier(softened).predict_logits(images)
    plain_results = classifier(as_trained).predict(images)
    calibrated_results = classifier(softened).predict(images)
    for z, plain, calibrated in zip(logits, plain_results, calibrated_results, strict=True):
        assert calibrated.top_style == plain.top_style
        assert calibrated.confidence <= plain.confidence
        np.testing.assert_allclose(
            calibrated.probabilities[columns], torch.softmax(z / 3.0, dim=0).numpy(), atol=1e-6
        )
    # strictly softer wherever this tiny model was not already certain to float precision
    assert any(
        c.confidence < p.confidence for c, p in zip(calibrated_results, plain_results, strict=True)
    )


def test_a_checkpoint_written_before_calibration_loads_with_temperature_one(
    tiny_checkpoint, tmp_path
):
    payload = torch.load(tiny_checkpoint, map_location="cpu", weights_only=True)
    assert payload["format"] == CHECKPOINT_FORMAT
    old = {k: v for k, v in payload.items() if k not in ("temperature", "split")}
    old_path = tmp_path / "old.pt"
    torch.save(old, old_path)

    loaded = StyleCheckpoint.load(old_path)
    assert loaded.temperature == 1.0 and loaded.split is None
    classifier = StyleClassifier(old_path)
    image = jpeg_bytes()
    (logits,) = classifier.predict_logits([image])
    (prediction,) = classifier.predict([image])
    np.testing.assert_allclose(
        prediction.probabilities[taxonomy_columns(old_path)],
        torch.softmax(logits, dim=0).numpy(),
        atol=1e-6,
    )
