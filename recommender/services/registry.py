"""The style-model registry: register checkpoints and activate one (which re-classifies posts)."""

import hashlib
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from mlcore.model import CheckpointError, StyleCheckpoint
from recommender.models import ModelVersion
from recommender.services.classification import posts_reclassify_all


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
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().get(pk=model_version_id)
        ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
        version.is_active = True
        version.activated_at = timezone.now()
        version.save(update_fields=["is_active", "activated_at"])
        if reclassify:
            posts_reclassify_all(model_version_id=version.pk)
    return version


def model_version_delete_check(*, model_version: ModelVersion) -> None:
    """The active version serves every request and classification: it is never deleted."""
    if model_version.is_active:
        raise ApplicationError(
            _("%(name)s is the active model version and cannot be deleted; activate another first.")
            % {"name": model_version},
            code="active_model_version",
        )


def model_version_delete(*, model_version: ModelVersion) -> None:
    model_version_delete_check(model_version=model_version)
    model_version.delete()
