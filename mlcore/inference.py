"""Batched style inference: probabilities over the taxonomy and a 512-d embedding per image.

The model loads once per process, lazily on first use, never at import. Decoding and
preprocessing run in a thread pool ahead of the forward pass (Pillow releases the GIL), and JPEGs
decode at reduced scale when the network needs fewer pixels.
"""

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from mlcore.images import ImageDecodeError, ImageSource, image_open
from mlcore.model import FeatureNet, StyleCheckpoint
from mlcore.preprocessing import eval_transform
from mlcore.styles import TAXONOMY_CODES, TAXONOMY_INDEX


@dataclass(frozen=True)
class StylePrediction:
    probabilities: np.ndarray  # float32, one per TAXONOMY_CODES entry, sums to 1
    embedding: np.ndarray  # float32, 512, L2-normalised

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


class StyleClassifier:
    """Classifies images with one checkpoint; thread-safe lazy loading."""

    def __init__(
        self,
        checkpoint_path: str | Path,
        *,
        device: str = "cpu",
        threads: int | None = None,
        quantized: bool = False,
        calibration_sources: Sequence[ImageSource] = (),
        decode_workers: int = 2,
    ):
        self.checkpoint_path = Path(checkpoint_path)
        self.device = torch.device(device)
        self.threads = threads
        self.quantized = quantized
        self.calibration_sources = list(calibration_sources)
        self.decode_workers = decode_workers
        self._lock = threading.Lock()
        self._net = None
        self.checkpoint: StyleCheckpoint | None = None

    def load(self) -> None:
        """Load the model now (a process warming up), instead of on the first prediction."""
        self._ensure_loaded()

    def _ensure_loaded(self):
        if self._net is not None:
            return
        with self._lock:
            if self._net is not None:
                return
            if self.threads:
                torch.set_num_threads(self.threads)
            checkpoint = StyleCheckpoint.load(self.checkpoint_path)
            self.transform = eval_transform(checkpoint.preprocessing)
            self._columns = torch.tensor([TAXONOMY_INDEX[c] for c in checkpoint.classes])
            net = FeatureNet(checkpoint.model())
            if self.quantized:
                from mlcore.quantize import int8_quantize

                # Decode every calibration batch first: FX tracing patches nn.Module calls
                # globally, which must not race with transforms running in decode threads.
                calibration = [x for x, _ in self._batches(self.calibration_sources, 32)]
                net = int8_quantize(net, calibration)
            self.checkpoint = checkpoint
            self._net = net.to(self.device).eval()

    def _prepare(self, source: ImageSource):
        try:
            image = image_open(source, draft_size=self.checkpoint_preprocessing_resize)
        except ImageDecodeError as exc:
            return UnreadableImage(str(exc))
        return self.transform(image)

    @property
    def checkpoint_preprocessing_resize(self) -> int:
        return self.transform.transforms[0].size

    def _batches(
        self, sources: Sequence[ImageSource], batch_size: int
    ) -> Iterator[tuple[torch.Tensor | None, list]]:
        """Yield (tensor batch, per-item tensor-or-error) with decoding running one batch ahead."""
        chunks = [sources[i : i + batch_size] for i in range(0, len(sources), batch_size)]
        with ThreadPoolExecutor(max_workers=self.decode_workers) as pool:
            pending = [pool.map(self._prepare, chunk) for chunk in chunks[:2]]
            for index in range(len(chunks)):
                items = list(pending[index])
                if index + 2 < len(chunks):
                    pending.append(pool.map(self._prepare, chunks[index + 2]))
                tensors = [t for t in items if isinstance(t, torch.Tensor)]
                yield (torch.stack(tensors) if tensors else None), items

    @torch.inference_mode()
    def _outputs(
        self, sources: Sequence[ImageSource], batch_size: int
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor] | UnreadableImage]:
        """(features, logits over the checkpoint's classes) or the reason, per source, in order."""
        self._ensure_loaded()
        for batch, items in self._batches(list(sources), batch_size):
            if batch is not None:
                features, logits = self._net(batch.to(self.device))
                outputs = zip(features.float().cpu(), logits.float().cpu(), strict=True)
            for item in items:
                yield item if isinstance(item, UnreadableImage) else next(outputs)

    def probabilities(
        self, logits: torch.Tensor, *, temperature: float | None = None
    ) -> np.ndarray:
        """Probabilities over TAXONOMY_CODES from logits over the checkpoint's classes.

        Calibrated with the checkpoint's temperature unless another is given (1.0: as trained).
        """
        temperature = self.checkpoint.temperature if temperature is None else temperature
        logits = logits.reshape(-1, len(self._columns))
        full = torch.zeros(len(logits), len(TAXONOMY_CODES))
        full[:, self._columns] = torch.softmax(logits / temperature, dim=1)
        return full.numpy().astype(np.float32)

    def predict_logits(
        self, sources: Sequence[ImageSource], *, batch_size: int = 32
    ) -> list[torch.Tensor | UnreadableImage]:
        """The raw logits (over the checkpoint's classes) per source, for evaluation."""
        return [
            output if isinstance(output, UnreadableImage) else output[1]
            for output in self._outputs(sources, batch_size)
        ]

    def predict(
        self, sources: Sequence[ImageSource], *, batch_size: int = 32
    ) -> list[StylePrediction | UnreadableImage]:
        """One result per source, in order; an unreadable image never fails the others.

        The probabilities are calibrated (the checkpoint's temperature), on fp32 and int8 alike.
        """
        results: list[StylePrediction | UnreadableImage] = []
        for output in self._outputs(sources, batch_size):
            if isinstance(output, UnreadableImage):
                results.append(output)
                continue
            features, logits = output
            embedding = torch.nn.functional.normalize(features, dim=0)
            results.append(
                StylePrediction(self.probabilities(logits)[0], embedding.numpy().astype(np.float32))
            )
        return results
