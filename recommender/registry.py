"""The style-model registry: register checkpoints, activate one, and load it once per process."""

import hashlib
import shutil
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from common.errors import ApplicationError
from mlcore.inference import StyleClassifier
from mlcore.model import CheckpointError, StyleCheckpoint
from recommender.models import ModelVersion

_classifiers: dict[str, StyleClassifier] = {}
_classifiers_lock = threading.Lock()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_version_register(
    *, checkpoint_path: str | Path, name: str = "", activate: bool = False
) -> ModelVersion:
    """Store a checkpoint in media storage with its metadata; the same file registers once."""
    path = Path(checkpoint_path)
    try:
        checkpoint = StyleCheckpoint.load(path)
    except (CheckpointError, FileNotFoundError) as exc:
        raise ApplicationError(str(exc), code="bad_checkpoint") from exc
    sha = _sha256(path)
    version = ModelVersion.objects.filter(checkpoint_sha256=sha).first()
    if version is None:
        version = ModelVersion(
            name=name or path.stem,
            checkpoint_sha256=sha,
            is_demo=checkpoint.is_demo,
            classes=checkpoint.classes,
            metrics={k: v for k, v in checkpoint.metrics.items() if k != "history"}
            | {"history": checkpoint.metrics.get("history", [])},
            trained_on=checkpoint.trained_on,
            data_fingerprint=checkpoint.data_fingerprint,
            recipe=checkpoint.recipe,
        )
        with open(path, "rb") as fp:
            version.checkpoint.save(f"{sha[:16]}.pt", File(fp), save=False)
        version.save()
    if activate and not version.is_active:
        version = model_version_activate(model_version_id=version.pk)
    return version


def model_version_activate(*, model_version_id: int, reclassify: bool = True) -> ModelVersion:
    """Make one version active; every post is then re-classified with it in background batches."""
    from recommender.classification import posts_reclassify_all

    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().get(pk=model_version_id)
        ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
        version.is_active = True
        version.activated_at = timezone.now()
        version.save(update_fields=["is_active", "activated_at"])
        if reclassify:
            posts_reclassify_all(model_version_id=version.pk)
    return version


def active_model_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()


def classifier_for(version: ModelVersion) -> StyleClassifier:
    """The process-wide classifier of a version; its file is cached locally once."""
    key = f"{version.checkpoint_sha256}:{'int8' if version.serves_int8 else 'fp32'}"
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
            calibration = _calibration_images() if version.serves_int8 else []
            classifier = StyleClassifier(
                local,
                threads=settings.TORCH_THREADS,
                quantized=bool(calibration),
                calibration_sources=calibration,
            )
            _classifiers[key] = classifier
        return classifier


def classifier_warm_up() -> str:
    """Load the active model now, so the first request after a worker (re)start does not wait."""
    version = active_model_version()
    if version is None:
        return "no active style model to load"
    started = time.perf_counter()
    classifier_for(version)
    return f"style model {model_label(version)} loaded in {time.perf_counter() - started:.1f} s"


def classifier_cache_clear() -> None:
    """Forget loaded classifiers (the next prediction loads its model again)."""
    with _classifiers_lock:
        _classifiers.clear()


def _calibration_images(limit: int = 64) -> list[bytes]:
    """Real catalogue images to calibrate int8 activations on (empty: serve fp32)."""
    from influencers.models import Post

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


def model_label(version: ModelVersion | None) -> str:
    if version is None:
        return ""
    kind = "demo" if version.is_demo else "real"
    if version.serves_int8:
        kind += ", int8"
    accuracy = version.validation_accuracy
    accuracy_text = f", val top-1 {accuracy:.1%}" if accuracy is not None else ""
    return f"{version.name} ({kind}{accuracy_text})"
