"""What classifying an image gives (probabilities and an embedding, or the reason it could not be
read), and one post's result from its images'. Plain numpy: the web stack reads and stores these
without importing torch; mlcore.inference produces them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlcore.styles import TAXONOMY_CODES


@dataclass(frozen=True)
class StylePrediction:
    probabilities: np.ndarray  # float32, one per TAXONOMY_CODES entry, sums to 1
    embedding: np.ndarray  # float32, 512, L2-normalised
    # The energy of the raw logits (mlcore.ood): high for a photo unlike the training photos;
    # None where it is not known (a mean over a carousel's images).
    energy: float | None = None

    @property
    def top_style(self) -> str:
        return TAXONOMY_CODES[int(self.probabilities.argmax())]

    @property
    def confidence(self) -> float:
        return float(self.probabilities.max())

    def top_k(self, k: int = 3) -> list[tuple[str, float]]:
        order = np.argsort(-self.probabilities, kind="stable")[:k]
        return [(TAXONOMY_CODES[i], float(self.probabilities[i])) for i in order]


@dataclass(frozen=True)
class UnreadableImage:
    reason: str


def predictions_mean(
    results: Sequence[StylePrediction | UnreadableImage],
) -> StylePrediction | UnreadableImage:
    """One post's prediction from the predictions of its images (a carousel): the mean of their
    probabilities, and of their embeddings re-normalised to unit length.

    An unreadable image is left out of the mean; when none could be read, the first one's reason
    stands for the post. One image gives back its own prediction unchanged.
    """
    if not results:
        raise ValueError("a post's prediction needs at least one image's result")
    read = [r for r in results if isinstance(r, StylePrediction)]
    if not read:
        return results[0]
    if len(read) == 1:
        return read[0]
    probabilities = np.mean([r.probabilities for r in read], axis=0, dtype=np.float64)
    embedding = np.mean([r.embedding for r in read], axis=0, dtype=np.float64)
    norm = np.linalg.norm(embedding)
    if norm > 0:
        embedding = embedding / norm
    return StylePrediction(probabilities.astype(np.float32), embedding.astype(np.float32))
