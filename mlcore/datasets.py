"""A torch Dataset over K-Fashion records."""

from collections.abc import Callable, Sequence

import torch
from torch.utils.data import Dataset

from mlcore.images import ImageDecodeError, image_open
from mlcore.kfashion import KFashionRecord

UNREADABLE = -1  # the label of an image that could not be decoded; the collate function drops it


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
            # dropped by the collate function through its label.
            return torch.zeros(3, 1, 1), UNREADABLE
        return self.transform(image), self.class_index[record.style]


def collate_skipping_unreadable(batch):
    """(images, style labels), without the images that could not be decoded."""
    batch = [item for item in batch if item[1] != UNREADABLE]
    if not batch:
        return torch.empty(0), torch.empty(0, dtype=torch.long)
    xs, ys = zip(*batch, strict=True)
    return torch.stack(xs), torch.tensor(ys)
