"""The active style model, loaded once per process (web or worker) and cached by checkpoint."""

import shutil
import threading
import time
from pathlib import Path

from django.conf import settings

from influencers.models import Post
from mlcore.inference import StyleClassifier
from recommender.models import ModelVersion

_classifiers: dict[str, StyleClassifier] = {}
_classifiers_lock = threading.Lock()
CALIBRATION_IMAGES = 64


def active_model_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()


def classifier_for(version: ModelVersion) -> StyleClassifier:
    """The process-wide classifier of a version; its file is cached locally once.

    int8 is served only when the version measured within tolerance of fp32 and catalogue images
    exist to calibrate it on; otherwise fp32 (`classifier.quantized` says which).
    """
    key = f"{version.checkpoint_sha256}:{version.int8_within_tolerance}"
    with _classifiers_lock:
        classifier = _classifiers.get(key)
        if classifier is None:
            cache_dir = Path(settings.MODEL_CACHE_DIR)
            cache_dir.mkdir(parents=True, exist_ok=True)
            local = cache_dir / f"{version.checkpoint_sha256}.pt"
            if not local.exists():
                tmp = local.with_suffix(".part")
                with version.checkpoint.open("rb") as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                tmp.replace(local)
            calibration = _calibration_images() if version.int8_within_tolerance else []
            classifier = StyleClassifier(
                local,
                threads=settings.TORCH_THREADS,
                quantized=bool(calibration),
                calibration_sources=calibration,
            )
            _classifiers[key] = classifier
        return classifier


def classifier_warm_up() -> str:
    """Load the active model now, so the first request after a (re)start does not wait."""
    version = active_model_version()
    if version is None:
        return "no active style model to load"
    started = time.perf_counter()
    classifier = classifier_for(version)
    classifier.load()
    label = model_label(version, quantized=classifier.quantized)
    return f"style model {label} loaded in {time.perf_counter() - started:.1f} s"


def classifier_cache_clear() -> None:
    """Forget loaded classifiers (the next prediction loads its model again)."""
    with _classifiers_lock:
        _classifiers.clear()


def _calibration_images(limit: int = CALIBRATION_IMAGES) -> list[bytes]:
    """Real catalogue images to calibrate int8 activations on (none: serve fp32)."""
    images = []
    for name in (
        Post.objects.exclude(image="").order_by("pk").values_list("image", flat=True)[:limit]
    ):
        try:
            with Post._meta.get_field("image").storage.open(name, "rb") as fp:
                images.append(fp.read())
        except OSError:
            continue
    return images


def model_label(version: ModelVersion | None, *, quantized: bool) -> str:
    """Which model answered, as stored with each result: name, demo or real, precision served."""
    if version is None:
        return ""
    kind = "demo" if version.is_demo else "real"
    kind += ", int8" if quantized else ", fp32"
    # A demo's validation figure is measured on generated pictures: never shown as its accuracy.
    accuracy = None if version.is_demo else version.validation_accuracy
    accuracy_text = f", val top-1 {accuracy:.1%}" if accuracy is not None else ""
    return f"{version.name} ({kind}{accuracy_text})"
