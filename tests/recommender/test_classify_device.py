"""CLASSIFY_DEVICE: where a process runs the style model, and its batch size there."""

import numpy as np
import pytest
import torch
from django.core.exceptions import ImproperlyConfigured

from mlcore.inference import StyleClassifier, device_resolve
from recommender.services.classifiers import (
    classifier_batch_size,
    classifier_cache_clear,
    classifier_device,
    classifier_for,
)
from tests.conftest import jpeg_bytes

no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")


@no_gpu
def test_auto_means_the_cpu_on_a_machine_without_a_gpu_and_cuda_is_refused_with_the_reason(
    settings,
):
    settings.CLASSIFY_DEVICE = "auto"
    assert classifier_device() == "cpu"
    assert classifier_batch_size() == settings.CLASSIFY_DEVICE_BATCH_SIZE["cpu"]
    settings.CLASSIFY_DEVICE = "cuda"
    with pytest.raises(ImproperlyConfigured, match="no CUDA device"):
        classifier_batch_size()


def test_an_unknown_device_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="cpu, cuda, auto"):
        device_resolve("gpu0")


def test_int8_is_for_the_cpu_only(tiny_checkpoint):
    with pytest.raises(ValueError, match="int8 inference runs on the CPU"):
        StyleClassifier(tiny_checkpoint, device="cuda", quantized=True)
    with pytest.raises(ValueError, match="int8 inference runs on the CPU"):
        StyleClassifier(tiny_checkpoint, precision="bf16", quantized=True)


def test_bf16_gives_the_fp32_style_on_real_photos(tiny_checkpoint, shared_data):
    photos = sorted((shared_data / "kfashion-sample").rglob("*.jpg"))[:16]
    fp32 = StyleClassifier(tiny_checkpoint).predict(photos)
    bf16 = StyleClassifier(tiny_checkpoint, precision="bf16").predict(photos)
    for a, b in zip(fp32, bf16, strict=True):
        np.testing.assert_allclose(a.probabilities, b.probabilities, atol=0.05)
        assert float(a.embedding @ b.embedding) > 0.99


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
@pytest.mark.django_db
def test_a_cuda_process_serves_the_float_model_on_the_gpu_with_its_batch(active_model, settings):
    settings.CLASSIFY_DEVICE = "cuda"
    classifier_cache_clear()
    active_model.metrics = {**active_model.metrics, "val_top1": 0.6, "val_top1_int8": 0.6}
    classifier = classifier_for(active_model)
    assert classifier.device.type == "cuda" and not classifier.quantized
    assert classifier_batch_size() == settings.CLASSIFY_DEVICE_BATCH_SIZE["cuda"]
    assert classifier.predict([jpeg_bytes()])[0].embedding.shape == (512,)
    classifier_cache_clear()
