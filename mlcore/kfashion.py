"""Reader for AI Hub's K-Fashion layout: one label JSON beside each image.

The main style is at 데이터셋 정보 > 데이터셋 상세설명 > 라벨링 > 스타일[0].스타일 and the
서브스타일 beside it. Real files have quirks: empty style objects ([{}]), extra keys, and images
whose size differs from what the JSON says (the shared sample is downscaled). A folder of images
without JSON (`<style>/<name>.jpg`) is read with the folder name as the label, which is how the
generated demo set is laid out.
"""

import hashlib
import json
import os
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from mlcore.styles import OTHER, style_code_from_label

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


@dataclass(frozen=True)
class KFashionRecord:
    image_path: Path
    style: str  # a style code, or "other" when the label names no style
    substyle: str | None = None
    label_width: int | None = None
    label_height: int | None = None


class LabelError(ValueError):
    """A label file that cannot be read at all."""


def label_read(label_path: Path) -> tuple[str, str | None, int | None, int | None]:
    """Return (style code or 'other', substyle code or None, width, height) from one JSON."""
    try:
        data = json.loads(Path(label_path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelError(f"{label_path}: {exc}") from exc
    info = data.get("이미지 정보") or {}
    detail = (data.get("데이터셋 정보") or {}).get("데이터셋 상세설명") or {}
    styles = (detail.get("라벨링") or {}).get("스타일") or []
    first = styles[0] if styles and isinstance(styles[0], dict) else {}
    style = style_code_from_label(first.get("스타일")) or OTHER.code
    substyle = style_code_from_label(first.get("서브스타일"))
    return (
        style,
        substyle,
        _int_or_none(info.get("이미지 너비")),
        _int_or_none(info.get("이미지 높이")),
    )


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def records_scan(root: str | Path) -> list[KFashionRecord]:
    """Every (image, label) pair under root, sorted by path for reproducibility."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"no data folder at {root}")
    records = []
    for image_path in _image_files(root):
        label_path = image_path.with_suffix(".json")
        if label_path.exists():
            try:
                style, substyle, width, height = label_read(label_path)
            except LabelError:
                continue
            records.append(KFashionRecord(image_path, style, substyle, width, height))
        else:
            style = style_code_from_label(image_path.parent.name)
            if style:
                records.append(KFashionRecord(image_path, style))
    return records


def _image_files(root: Path) -> list[Path]:
    """Every image under root, following symlinked folders (data sets are often linked in)."""
    found = []
    for folder, _dirs, files in os.walk(root, followlinks=True):
        found += [Path(folder) / f for f in files if Path(f).suffix.lower() in IMAGE_SUFFIXES]
    return sorted(found)


def balanced_sample(
    records: Iterable[KFashionRecord],
    *,
    cap_per_style: int | None,
    seed: int = 0,
    include_other: bool = False,
) -> list[KFashionRecord]:
    """At most cap_per_style records of each style, drawn with a seed (the original sampled evenly)."""
    by_style: dict[str, list[KFashionRecord]] = defaultdict(list)
    for record in records:
        if record.style == OTHER.code and not include_other:
            continue
        by_style[record.style].append(record)
    rng = random.Random(seed)
    sample = []
    for style in sorted(by_style):
        group = list(by_style[style])
        rng.shuffle(group)
        sample.extend(group[:cap_per_style] if cap_per_style else group)
    return sorted(sample, key=lambda r: str(r.image_path))


def stratified_split(
    records: Iterable[KFashionRecord], *, val_fraction: float = 0.1, seed: int = 0
) -> tuple[list[KFashionRecord], list[KFashionRecord]]:
    """A seeded split that keeps each style's share in both parts (at least one val image each)."""
    by_style: dict[str, list[KFashionRecord]] = defaultdict(list)
    for record in records:
        by_style[record.style].append(record)
    rng = random.Random(seed)
    train, val = [], []
    for style in sorted(by_style):
        group = sorted(by_style[style], key=lambda r: str(r.image_path))
        rng.shuffle(group)
        n_val = max(1, round(len(group) * val_fraction)) if len(group) > 1 else 0
        val.extend(group[:n_val])
        train.extend(group[n_val:])
    return train, val


@dataclass(frozen=True)
class DataSplit:
    """How a training run chose its images in a folder: a capped sample, then a held-out part.

    Stored in the checkpoint, so evaluation can rebuild the same split from the same folder.
    """

    val_fraction: float = 0.1
    seed: int = 0
    cap_per_style: int | None = None
    include_other: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DataSplit":
        return cls(
            val_fraction=float(data["val_fraction"]),
            seed=int(data["seed"]),
            cap_per_style=data.get("cap_per_style"),
            include_other=bool(data.get("include_other", False)),
        )


def training_sample(records: Iterable[KFashionRecord], split: DataSplit) -> list[KFashionRecord]:
    """The records a run with this split trains and validates on (its data fingerprint's input)."""
    return balanced_sample(
        records,
        cap_per_style=split.cap_per_style,
        seed=split.seed,
        include_other=split.include_other,
    )


def held_out_split(
    sample: list[KFashionRecord], split: DataSplit
) -> tuple[list[KFashionRecord], list[KFashionRecord]]:
    """(train, held-out) of a training sample, the same for training and evaluation."""
    return stratified_split(sample, val_fraction=split.val_fraction, seed=split.seed)


def style_counts(records: Iterable[KFashionRecord]) -> dict[str, int]:
    return dict(sorted(Counter(r.style for r in records).items()))


def data_fingerprint(records: Iterable[KFashionRecord], root: str | Path | None = None) -> str:
    """A hash of what a model was trained on: relative paths, sizes and labels."""
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: str(r.image_path)):
        path = record.image_path
        name = str(path.relative_to(root)) if root else path.name
        size = path.stat().st_size if path.exists() else -1
        digest.update(f"{name}\t{size}\t{record.style}\n".encode())
    return digest.hexdigest()[:16]
