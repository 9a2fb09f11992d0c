"""A torch Dataset over K-Fashion records."""

from collections.abc import Callable, Sequence

import torch
from torch.utils.data import Dataset

from mlcore.images import ImageDecodeError, image_open
from mlcore.kfashion import KFashionRecord
from mlcore.styles import TAXONOMY_INDEX

NO_TARGET = -100  # cross-entropy's ignore_index: an image without a 서브스타일


class StyleDataset(Dataset):
    def __init__(
        self,
        records: Sequence[KFashionRecord],
        classes: Sequence[str],
        transform: Callable,
        draft_size: int | None = None,
    ):
        self.records = list(records)
        self.class_index = {c: i for i, c in enumerate(classes)}
        self.transform = transform
        self.draft_size = draft_size

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int):
        record = self.records[i]
        try:
            image = image_open(record.image_path, draft_size=self.draft_size)
        except ImageDecodeError:
            # A corrupt file in a large data set must not stop training: a blank image,
            # dropped by the collate function through its label -1.
            return torch.zeros(3, 1, 1), -1, NO_TARGET
        substyle = TAXONOMY_INDEX.get(record.substyle, NO_TARGET) if record.substyle else NO_TARGET
        return self.transform(image), self.class_index[record.style], substyle


def collate_skipping_unreadable(batch):
    """(images, style labels, 서브스타일 labels over the whole taxonomy or NO_TARGET)."""
    batch = [item for item in batch if item[1] >= 0]
    if not batch:
        empty = torch.empty(0, dtype=torch.long)
        return torch.empty(0), empty, empty
    xs, ys, subs = zip(*batch, strict=True)
    return torch.stack(xs), torch.tensor(ys), torch.tensor(subs)
