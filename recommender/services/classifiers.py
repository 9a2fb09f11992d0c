"""The active style model, loaded once per process (web or worker) and cached by checkpoint.

The checkpoint file is the one thing a worker keeps on its own disk (MODEL_CACHE_DIR); every copy,
cached or fetched from storage, is checked against the registered SHA-256 before it is loaded.
torch (mlcore.inference) is imported when a process first loads or places a model, never at import:
web processes that leave classification to the workers start without it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from common.errors import ApplicationError
from influencers.models import Post
from mlcore.model import CheckpointError, CheckpointIntegrityError, file_sha256
from recommender.models import ModelVersion

if TYPE_CHECKING:
    from mlcore.inference import StyleClassifier

log = logging.getLogger(__name__)

_classifiers: dict[str, StyleClassifier] = {}
_classifiers_lock = threading.Lock()
CALIBRATION_IMAGES = 64
# Copies of a model file examined per load: a bad one is discarded and fetched again once.
MODEL_FILE_ATTEMPTS = 2


class ModelUnavailable(ApplicationError):
    """No copy of the active model's file could be verified and loaded."""

    status_code = 503

    def __init__(self, message: str):
        super().__init__(message, code="model_unavailable")


def active_model_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()


def classifier_for(version: ModelVersion) -> StyleClassifier:
    """The process-wide classifier of a version, loaded from a verified copy of its file.

    int8 is served only when the version measured within tolerance of fp32 and catalogue images
    exist to calibrate it on; otherwise fp32 (`classifier.quantized` says which). Raises
    ModelUnavailable (and records why on the version) when no copy passes its SHA-256 check.
    """
    key = _classifier_key(version)
    with _classifiers_lock:
        classifier = _classifiers.get(key)
        if classifier is None:
            classifier = _classifier_load(version)
            _classifiers[key] = classifier
        return classifier


def classifier_device() -> str:
    """This process's torch device (settings.CLASSIFY_DEVICE, with auto resolved)."""
    from mlcore.inference import device_resolve

    try:
        return device_resolve(settings.CLASSIFY_DEVICE)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from exc


def classifier_batch_size() -> int:
    """Images per forward pass on this process's device (a GPU takes far larger batches)."""
    return settings.CLASSIFY_DEVICE_BATCH_SIZE[classifier_device()]


def classifier_is_loaded(version: ModelVersion) -> bool:
    """Whether this process already holds the version's classifier (classifier_for loads it)."""
    with _classifiers_lock:
        return _classifier_key(version) in _classifiers


def _classifier_key(version: ModelVersion) -> str:
    return f"{version.checkpoint_sha256}:{version.int8_within_tolerance}:{classifier_device()}"


def _classifier_load(version: ModelVersion) -> StyleClassifier:
    from mlcore.inference import StyleClassifier

    device = classifier_device()
    # int8 is a CPU model; a GPU runs the float model at CLASSIFY_CUDA_PRECISION.
    int8 = device == "cpu" and version.int8_within_tolerance
    calibration = _calibration_images() if int8 else []
    reasons: list[str] = []  # one per bad copy seen; MODEL_FILE_ATTEMPTS of them end the load
    while len(reasons) < MODEL_FILE_ATTEMPTS:
        local = _model_file_verified(version, reasons)
        if local is None:
            break
        classifier = StyleClassifier(
            local,
            sha256=version.checkpoint_sha256,
            device=device,
            precision=settings.CLASSIFY_CUDA_PRECISION if device == "cuda" else "fp32",
            threads=settings.TORCH_THREADS,
            quantized=bool(calibration),
            calibration_sources=calibration,
        )
        try:
            classifier.load()  # hashes the bytes it deserialises again
        except CheckpointIntegrityError as exc:  # the file changed after it was checked
            reasons.append(str(exc))
            local.unlink(missing_ok=True)
            continue
        except CheckpointError as exc:  # the registered bytes themselves: fetching cannot help
            reasons.append(str(exc))
            break
        if version.unavailable_reason:
            ModelVersion.objects.filter(pk=version.pk).update(unavailable_reason="")
            version.unavailable_reason = ""
        return classifier
    reason = (
        f"The style model {version.name} cannot be loaded: no copy of its file matches the "
        f"registered SHA-256 ({'; '.join(reasons)}). An administrator must register it again."
    )[:500]
    log.error(reason)
    ModelVersion.objects.filter(pk=version.pk).update(unavailable_reason=reason)
    version.unavailable_reason = reason
    raise ModelUnavailable(reason)


def _model_file_verified(version: ModelVersion, reasons: list[str]) -> Path | None:
    """The local cache's copy of the version's file, fetched from storage when missing or bad.

    Every copy examined is hashed; a bad one is deleted (never kept in the cache) and its reason
    appended, so a bad cached copy is fetched again once, and a bad stored copy is fetched twice,
    before the load gives up (None).
    """
    expected = version.checkpoint_sha256
    cache_dir = Path(settings.MODEL_CACHE_DIR)
    cache_dir.mkdir(parents=True, exist_ok=True)
    local = cache_dir / f"{expected}.pt"
    if local.exists():
        actual = file_sha256(local)
        if actual == expected:
            return local
        reasons.append(f"cached copy has SHA-256 {actual[:12]}…")
        log.warning("model cache %s is corrupt (sha256 %s); fetching it again", local, actual)
        local.unlink(missing_ok=True)
    while len(reasons) < MODEL_FILE_ATTEMPTS:
        part = local.with_suffix(f".{threading.get_ident()}.part")
        digest = hashlib.sha256()
        try:
            with version.checkpoint.open("rb") as src, open(part, "wb") as dst:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    dst.write(chunk)
        except OSError as exc:
            part.unlink(missing_ok=True)
            reasons.append(f"stored copy cannot be read ({exc})")
            continue
        actual = digest.hexdigest()
        if actual == expected:
            part.replace(local)
            return local
        part.unlink(missing_ok=True)
        reasons.append(f"stored copy has SHA-256 {actual[:12]}…")
        log.warning("stored model %s is corrupt (sha256 %s)", version.checkpoint.name, actual)
    return None


def classifier_warm_up() -> str:
    """Load the active model now, so the first request after a (re)start does not wait."""
    version = active_model_version()
    if version is None:
        return "no active style model to load"
    started = time.perf_counter()
    classifier = classifier_for(version)
    classifier.load()
    label = model_label(version, quantized=classifier.quantized, precision=classifier.precision)
    return f"style model {label} on {classifier.device.type} loaded in {time.perf_counter() - started:.1f} s"


def model_health_check() -> tuple[bool, str]:
    """/healthz's view of the style model: down while the active one cannot be loaded."""
    version = active_model_version()
    if version is None:
        return True, "no active style model"  # a new site; requests say so themselves
    if version.unavailable_reason:
        return False, version.unavailable_reason
    return True, f"{version.name} ({version.checkpoint_sha256[:12]})"


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


def model_label(version: ModelVersion | None, *, quantized: bool, precision: str = "fp32") -> str:
    """Which model answered, as stored with each result: name, demo or real, precision served."""
    if version is None:
        return ""
    kind = "demo" if version.is_demo else "real"
    kind += ", int8" if quantized else f", {precision}"
    # A demo's validation figure is measured on generated pictures: never shown as its accuracy.
    accuracy = None if version.is_demo else version.validation_accuracy
    accuracy_text = f", val top-1 {accuracy:.1%}" if accuracy is not None else ""
    return f"{version.name} ({kind}{accuracy_text})"
