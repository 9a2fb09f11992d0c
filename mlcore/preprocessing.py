"""Transforms. Evaluation and inference share one definition, stored in each checkpoint."""

from dataclasses import asdict, dataclass

from torchvision import transforms

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Preprocessing:
    resize: int = 256
    crop: int = 224
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD

    def to_dict(self) -> dict:
        return {**asdict(self), "mean": list(self.mean), "std": list(self.std)}

    @classmethod
    def from_dict(cls, data: dict) -> "Preprocessing":
        return cls(
            resize=int(data["resize"]),
            crop=int(data["crop"]),
            mean=tuple(data["mean"]),
            std=tuple(data["std"]),
        )


def eval_transform(pre: Preprocessing) -> transforms.Compose:
    return transforms.Compose(
        [
            transforms.Resize(pre.resize),
            transforms.CenterCrop(pre.crop),
            transforms.ToTensor(),
            transforms.Normalize(pre.mean, pre.std),
        ]
    )


def train_transform(
    pre: Preprocessing, *, strong: bool = False, crop_scale_min: float = 0.08
) -> transforms.Compose:
    """The original recipe's augmentation; `strong` adds colour jitter and random erasing.

    crop_scale_min is RandomResizedCrop's smallest area share (torchvision's default 0.08 is the
    original recipe; small data learns faster with gentler crops that keep the whole outfit).
    """
    steps = [
        transforms.RandomResizedCrop(pre.crop, scale=(crop_scale_min, 1.0)),
        transforms.RandomHorizontalFlip(),
    ]
    if strong:
        steps.append(transforms.ColorJitter(0.3, 0.3, 0.3, 0.05))
    steps += [transforms.ToTensor(), transforms.Normalize(pre.mean, pre.std)]
    if strong:
        steps.append(transforms.RandomErasing(p=0.25))
    return transforms.Compose(steps)
