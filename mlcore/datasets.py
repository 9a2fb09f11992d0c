"""A torch Dataset over K-Fashion records."""

from collections.abc import Callable, Sequence

import torch
from torch.utils.data import Dataset

from mlcore.images import ImageDecodeError, image_open
from mlcore.kfashion import KFashionRecord


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
            # counted by the caller through `labels == -1`.
            return torch.zeros(3, 1, 1), -1
        return self.transform(image), self.class_index[record.style]


def collate_skipping_unreadable(batch):
    batch = [(x, y) for x, y in batch if y >= 0]
    if not batch:
        return torch.empty(0), torch.empty(0, dtype=torch.long)
    xs, ys = zip(*batch, strict=True)
    return torch.stack(xs), torch.tensor(ys, dtype=torch.long)
