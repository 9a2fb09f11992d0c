"""The style-model checkpoint format every other part reads, and its integrity checks.

torch is imported only inside the methods that read, write or build a model: the web stack imports
this module (the registry, the health check, EMBEDDING_DIM) and must start without torch. The
network itself is mlcore.network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlcore import CODE_VERSION
from mlcore.kfashion import DataSplit
from mlcore.preprocessing import Preprocessing

if TYPE_CHECKING:
    from torch import nn

CHECKPOINT_FORMAT = "stylematch-style-model/1"
EMBEDDING_DIM = 512


class CheckpointError(ValueError):
    """A file that is not a StyleMatch style-model checkpoint."""


class CheckpointIntegrityError(CheckpointError):
    """A checkpoint file whose bytes are not the ones registered (its SHA-256 differs)."""


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MiB pieces (checkpoints are ~45 MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class StyleCheckpoint:
    classes: list[str]
    state_dict: dict
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    metrics: dict = field(default_factory=dict)
    trained_on: str = ""
    data_fingerprint: str = ""
    recipe: dict = field(default_factory=dict)
    is_demo: bool = False
    # Divides the logits before the softmax (mlcore.calibration); 1.0 leaves them as trained,
    # which is what a checkpoint written before calibration existed gets.
    temperature: float = 1.0
    # The energy (mlcore.ood) above which a photo is unlike the training photos, set on the
    # validation split; None in checkpoints that predate it (the check is then skipped).
    ood_energy_threshold: float | None = None
    # How the training folder was sampled and split; None in checkpoints that predate it.
    split: DataSplit | None = None
    code_version: str = CODE_VERSION
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    def model(self) -> nn.Module:
        from mlcore.network import resnet18_build

        model = resnet18_build(len(self.classes))
        model.load_state_dict(self.state_dict)
        return model.eval()

    def save(self, path: str | Path) -> None:
        import torch

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": CHECKPOINT_FORMAT,
            "arch": "resnet18",
            "classes": list(self.classes),
            "state_dict": self.state_dict,
            "preprocessing": self.preprocessing.to_dict(),
            "metrics": self.metrics,
            "trained_on": self.trained_on,
            "data_fingerprint": self.data_fingerprint,
            "recipe": self.recipe,
            "is_demo": self.is_demo,
            "temperature": float(self.temperature),
            "ood_energy_threshold": self.ood_energy_threshold,
            "split": self.split.to_dict() if self.split else None,
            "code_version": self.code_version,
            "created_at": self.created_at,
        }
        tmp = path.with_suffix(path.suffix + ".tmp")
        torch.save(payload, tmp)
        tmp.replace(path)  # never leave a half-written checkpoint under the real name

    @classmethod
    def load(cls, path: str | Path, *, sha256: str | None = None) -> StyleCheckpoint:
        """Read a checkpoint; with `sha256`, the very bytes loaded must have that digest.

        Hashing the bytes that are then deserialised (not the file before a second read) means a
        copy that changes between the check and the load can never be served.
        """
        source: str | Path | io.BytesIO = path
        if sha256 is not None:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                raise CheckpointError(f"{path}: cannot be read ({exc})") from exc
            actual = hashlib.sha256(data).hexdigest()
            if actual != sha256:
                raise CheckpointIntegrityError(
                    f"{path}: SHA-256 {actual[:12]}… is not the registered {sha256[:12]}…"
                )
            source = io.BytesIO(data)
        import torch

        try:
            payload = torch.load(source, map_location="cpu", weights_only=True)
        except Exception as exc:  # pickle, zip and torch errors all mean "not a checkpoint"
            raise CheckpointError(f"{path}: not a readable checkpoint ({exc})") from exc
        if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(f"{path}: not a StyleMatch style-model checkpoint")
        return cls(
            classes=list(payload["classes"]),
            state_dict=payload["state_dict"],
            preprocessing=Preprocessing.from_dict(payload["preprocessing"]),
            metrics=payload.get("metrics", {}),
            trained_on=payload.get("trained_on", ""),
            data_fingerprint=payload.get("data_fingerprint", ""),
            recipe=payload.get("recipe", {}),
            is_demo=bool(payload.get("is_demo", False)),
            temperature=float(payload.get("temperature", 1.0)),
            ood_energy_threshold=payload.get("ood_energy_threshold"),
            split=DataSplit.from_dict(payload["split"]) if payload.get("split") else None,
            code_version=payload.get("code_version", ""),
            created_at=payload.get("created_at", ""),
        )
