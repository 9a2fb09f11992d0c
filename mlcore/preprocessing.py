"""A model's input geometry and normalisation, stored in each checkpoint (plain data, no torch).

Evaluation and inference share this one definition; mlcore.transforms turns it into torchvision
transforms where a process classifies or trains.
"""

from dataclasses import asdict, dataclass

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


def derivative_serves(pre: Preprocessing, side: int) -> bool:
    """Whether a classification derivative `side` pixels square (mlcore.images) gives this model
    exactly the pixels its original would: same resize, and a centre crop that lands on the same
    rows. CenterCrop rounds half-pixel offsets to even, so cutting `crop` from the square matches
    cutting it from the whole photo only when the square's own margin, (side - crop) / 2, is even.
    """
    return pre.resize == side and pre.crop <= side and (side - pre.crop) % 4 == 0
