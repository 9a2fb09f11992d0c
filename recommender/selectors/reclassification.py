"""Reads of re-classification runs (admin, CLI)."""

from recommender.models import ReclassificationRun


def reclassification_latest(*, model_version_id: int) -> ReclassificationRun | None:
    """The version's most recent run (its progress is the catalogue's under that model)."""
    return ReclassificationRun.objects.filter(model_version_id=model_version_id).first()
