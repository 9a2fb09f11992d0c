"""A photo unlike the training photos: the energy score, its threshold set on the validation
split at training time and kept in the checkpoint, and the AUROC the benchmark reports."""

import numpy as np
import pytest
import torch

from mlcore.model import StyleCheckpoint
from mlcore.ood import auroc, energy_scores, energy_threshold, is_unlike_training
from tests.conftest import jpeg_bytes


def test_the_energy_is_minus_logsumexp_of_the_raw_logits():
    logits = np.array([[2.0, 1.0, 0.0], [100.0, 100.0, 100.0]])
    expected = -np.log(np.exp(logits).sum(axis=1))
    assert energy_scores(logits) == pytest.approx(expected)  # stable for large logits too


def test_the_threshold_lets_the_chosen_share_of_validation_images_through():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(400, 23)) * 3
    threshold = energy_threshold(logits, share=0.95)
    passed = (energy_scores(logits) <= threshold).mean()
    assert passed == pytest.approx(0.95, abs=0.01)
    with pytest.raises(ValueError):
        energy_threshold(np.empty((0, 23)))


def test_unknown_energy_or_threshold_skips_the_check():
    assert is_unlike_training(1.0, None) is None
    assert is_unlike_training(None, 1.0) is None
    assert is_unlike_training(2.0, 1.0) is True and is_unlike_training(0.5, 1.0) is False


@pytest.mark.parametrize(
    "inside, outside, expected",
    [([1, 2, 3], [4, 5, 6], 1.0), ([4, 5, 6], [1, 2, 3], 0.0), ([1, 1], [1, 1], 0.5)],
)
def test_auroc_is_the_chance_an_outside_image_scores_higher(inside, outside, expected):
    assert auroc(inside, outside) == pytest.approx(expected)


def test_training_stores_the_threshold_and_a_confident_logit_passes_it(tiny_checkpoint):
    from mlcore.inference import StyleClassifier, StylePrediction

    checkpoint = StyleCheckpoint.load(tiny_checkpoint)
    assert checkpoint.ood_energy_threshold is not None
    classifier = StyleClassifier(tiny_checkpoint)
    probs = np.full(24, 1 / 24, dtype=np.float32)
    embedding = np.zeros(512, dtype=np.float32)
    threshold = checkpoint.ood_energy_threshold

    def prediction(energy):
        return StylePrediction(probs, embedding, energy=energy)

    assert classifier.unlike_training(prediction(threshold - 1)) is False
    assert classifier.unlike_training(prediction(threshold + 1)) is True
    # A photo the model has never seen the like of: a flat grey square, far from the generated
    # training pictures, gets an energy; whichever side it falls, it is compared, not skipped.
    (grey,) = classifier.predict([jpeg_bytes(color=(128, 128, 128))])
    assert grey.energy is not None and classifier.unlike_training(grey) is not None


def test_an_older_checkpoint_without_a_threshold_skips_the_check(tiny_checkpoint, tmp_path):
    from dataclasses import replace

    from mlcore.inference import StyleClassifier

    old = replace(StyleCheckpoint.load(tiny_checkpoint), ood_energy_threshold=None)
    payload = torch.load(tiny_checkpoint, weights_only=False)
    payload.pop("ood_energy_threshold", None)
    path = tmp_path / "old.pt"
    torch.save(payload, path)
    loaded = StyleCheckpoint.load(path)
    assert loaded.ood_energy_threshold is None == old.ood_energy_threshold
    classifier = StyleClassifier(path)
    (prediction,) = classifier.predict([jpeg_bytes()])
    assert prediction.energy is not None
    assert classifier.unlike_training(prediction) is None
