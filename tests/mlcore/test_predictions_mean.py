"""A carousel post's prediction is the mean of its images' predictions (mlcore.predictions_mean)."""

import numpy as np
import pytest

from mlcore.inference import StyleClassifier, StylePrediction, UnreadableImage, predictions_mean
from mlcore.styles import TAXONOMY_CODES
from tests.conftest import jpeg_bytes


def _prediction(probabilities, embedding) -> StylePrediction:
    return StylePrediction(
        np.asarray(probabilities, dtype=np.float32), np.asarray(embedding, dtype=np.float32)
    )


def _one_hot(index: int) -> np.ndarray:
    vector = np.zeros(len(TAXONOMY_CODES), dtype=np.float32)
    vector[index] = 1
    return vector


def test_the_mean_of_three_images_is_their_average_and_its_top_style_follows_it():
    a = _prediction(0.6 * _one_hot(0) + 0.4 * _one_hot(1), [1, 0, 0])
    b = _prediction(0.1 * _one_hot(0) + 0.9 * _one_hot(1), [0, 1, 0])
    c = _prediction(0.8 * _one_hot(0) + 0.2 * _one_hot(2), [0, 0, 1])
    mean = predictions_mean([a, b, c])
    np.testing.assert_allclose(mean.probabilities[:3], [1.5 / 3, 1.3 / 3, 0.2 / 3], rtol=1e-6)
    assert mean.probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    # Image a's top style is 0 and b's is 1; the mean's is 0 (0.50 against 0.43).
    assert mean.top_style == TAXONOMY_CODES[0]
    assert mean.confidence == pytest.approx(0.5, abs=1e-6)
    # The mean embedding points between the three and is a unit vector again.
    np.testing.assert_allclose(mean.embedding, np.full(3, 1 / np.sqrt(3)), rtol=1e-6)


def test_one_image_gives_back_its_own_prediction():
    only = _prediction(_one_hot(4), [0, 1])
    assert predictions_mean([only]) is only


def test_an_unreadable_image_is_left_out_and_alone_it_stands_for_the_post():
    good = _prediction(_one_hot(3), [1, 0])
    broken = UnreadableImage("truncated")
    assert predictions_mean([broken, good]) is good
    assert predictions_mean([broken, UnreadableImage("empty")]) is broken
    with pytest.raises(ValueError):
        predictions_mean([])


def test_the_mean_of_real_predictions_is_their_elementwise_mean(tiny_checkpoint):
    images = [jpeg_bytes((i * 70 % 255, 120, 40 + i * 50), size=(96, 120)) for i in range(3)]
    results = StyleClassifier(tiny_checkpoint).predict(images)
    mean = predictions_mean(results)
    expected = np.mean([r.probabilities for r in results], axis=0)
    np.testing.assert_allclose(mean.probabilities, expected, rtol=1e-5)
    assert np.linalg.norm(mean.embedding) == pytest.approx(1.0, abs=1e-5)
