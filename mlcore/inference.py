"""Batched style inference: probabilities over the taxonomy and a 512-d embedding per image.

The model loads once per process, lazily on first use, never at import. Reading, decoding and
preprocessing run in a thread pool a few batches ahead of the forward pass (Pillow releases the
GIL), and JPEGs decode at reduced scale when the network needs fewer pixels. `classify_stream`
takes any iterable and holds only the batches in flight, so a catalogue streams in flat memory.
"""

import itertools
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch

from mlcore.images import ImageDecodeError, ImageLoader, ImageSource, image_open
from mlcore.model import StyleCheckpoint
from mlcore.network import FeatureNet
from mlcore.ood import energy_scores, is_unlike_training
from mlcore.predictions import StylePrediction, UnreadableImage, predictions_mean
from mlcore.preprocessing import Preprocessing
from mlcore.styles import TAXONOMY_CODES, TAXONOMY_INDEX
from mlcore.transforms import BatchNormalizer, eval_geometry, image_to_uint8

Key = TypeVar("Key")
Source = ImageSource | ImageLoader
# Batches decoded ahead of the one in the forward pass: enough to hide decoding behind it, few
# enough that memory stays a handful of batches whatever the length of the stream.
PREFETCH_BATCHES = 2
# Float precisions of the forward pass ("int8" is the `quantized` CPU model instead).
PRECISIONS = ("fp32", "bf16")
DEVICES = ("cpu", "cuda", "auto")


def device_resolve(name: str) -> str:
    """The torch device for a CLASSIFY_DEVICE value: cpu, cuda, or auto (cuda when present)."""
    if name not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {name!r}")
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("CLASSIFY_DEVICE=cuda but torch sees no CUDA device on this machine")
    return name


class StyleClassifier:
    """Classifies images with one checkpoint; thread-safe lazy loading."""

    def __init__(
        self,
        checkpoint_path: str | Path,
        *,
        sha256: str | None = None,
        device: str = "cpu",
        precision: str = "fp32",
        threads: int | None = None,
        quantized: bool = False,
        calibration_sources: Sequence[ImageSource] = (),
        decode_workers: int = 2,
        prefetch_batches: int = PREFETCH_BATCHES,
    ):
        self.checkpoint_path = Path(checkpoint_path)
        # When given, loading refuses any other bytes (CheckpointIntegrityError).
        self.sha256 = sha256
        self.device = torch.device(device)
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        if quantized and (self.device.type != "cpu" or precision != "fp32"):
            raise ValueError("int8 inference runs on the CPU, from the fp32 model")
        self.precision = precision
        self.threads = threads
        self.quantized = quantized
        self.calibration_sources = list(calibration_sources)
        self.decode_workers = decode_workers
        self.prefetch_batches = prefetch_batches
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
            checkpoint = StyleCheckpoint.load(self.checkpoint_path, sha256=self.sha256)
            self.geometry = eval_geometry(checkpoint.preprocessing)
            self.normalize = BatchNormalizer(checkpoint.preprocessing)
            self._short_side = checkpoint.preprocessing.resize
            self._columns = torch.tensor([TAXONOMY_INDEX[c] for c in checkpoint.classes])
            net = FeatureNet(checkpoint.model())
            if self.quantized:
                from mlcore.quantize import int8_quantize

                # Decode every calibration batch first: FX tracing patches nn.Module calls
                # globally, which must not race with transforms running in decode threads.
                calibration = [x for x, _ in self._batches(self.calibration_sources, 32)]
                net = int8_quantize(net, calibration)
            self.checkpoint = checkpoint
            net = net.to(self.device).eval()
            if self.device.type == "cuda":
                net = net.to(memory_format=torch.channels_last)
            self._net = net

    def _prepare(self, source: Source):
        if callable(source):
            try:
                source = source()
            except OSError as exc:  # a stored file gone or unreadable: only this item fails
                return UnreadableImage(f"unreadable file: {exc}")
        try:
            image = image_open(source, draft_size=self._short_side)
        except ImageDecodeError as exc:
            return UnreadableImage(str(exc))
        return image_to_uint8(self.geometry(image))

    @property
    def preprocessing(self) -> Preprocessing:
        """The checkpoint's input geometry and normalisation (loads the model if needed)."""
        self._ensure_loaded()
        return self.checkpoint.preprocessing

    def _batches(
        self, sources: Iterable[Source], batch_size: int
    ) -> Iterator[tuple[torch.Tensor | None, list]]:
        """Yield (tensor batch, per-item tensor-or-error), decoding `prefetch_batches` ahead.

        `sources` is consumed lazily, one batch at a time, as decoding moves ahead.
        """
        iterator = iter(sources)
        with ThreadPoolExecutor(max_workers=self.decode_workers) as pool:
            ahead: deque[list[Future]] = deque()
            while chunk := list(itertools.islice(iterator, batch_size)):
                ahead.append([pool.submit(self._prepare, source) for source in chunk])
                if len(ahead) > self.prefetch_batches:
                    yield self._stacked(ahead.popleft())
            while ahead:
                yield self._stacked(ahead.popleft())

    def _stacked(self, futures: list[Future]) -> tuple[torch.Tensor | None, list]:
        items = [future.result() for future in futures]
        pixels = [t for t in items if isinstance(t, torch.Tensor)]
        return (self.normalize(torch.stack(pixels)) if pixels else None), items

    @torch.inference_mode()
    def _batch_outputs(
        self, sources: Iterable[Source], batch_size: int
    ) -> Iterator[list[tuple[torch.Tensor, torch.Tensor] | UnreadableImage]]:
        """Per batch: (features, logits over the checkpoint's classes) or the reason, in order."""
        self._ensure_loaded()
        for batch, items in self._batches(sources, batch_size):
            if batch is not None:
                features, logits = self._forward(batch)
                outputs = zip(features.float().cpu(), logits.float().cpu(), strict=True)
            yield [item if isinstance(item, UnreadableImage) else next(outputs) for item in items]

    def _forward(self, batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.device.type == "cuda":
            batch = batch.to(self.device, non_blocking=True).contiguous(
                memory_format=torch.channels_last
            )
        with torch.autocast(
            self.device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16"
        ):
            return self._net(batch)

    def _outputs(self, sources: Iterable[Source], batch_size: int):
        for outputs in self._batch_outputs(sources, batch_size):
            yield from outputs

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

    def _prediction(self, output) -> "StylePrediction | UnreadableImage":
        if isinstance(output, UnreadableImage):
            return output
        features, logits = output
        embedding = torch.nn.functional.normalize(features, dim=0)
        return StylePrediction(
            self.probabilities(logits)[0],
            embedding.numpy().astype(np.float32),
            energy=float(energy_scores(logits.numpy())[0]),
        )

    def unlike_training(self, prediction: "StylePrediction") -> bool | None:
        """Whether the photo is unlike the model's training photos (its energy above the
        threshold set on the validation split); None for a checkpoint without a threshold."""
        self._ensure_loaded()
        return is_unlike_training(prediction.energy, self.checkpoint.ood_energy_threshold)

    def predict(
        self, sources: Sequence[Source], *, batch_size: int = 32
    ) -> list[StylePrediction | UnreadableImage]:
        """One result per source, in order; an unreadable image never fails the others.

        The probabilities are calibrated (the checkpoint's temperature), on fp32 and int8 alike.
        """
        return [self._prediction(output) for output in self._outputs(sources, batch_size)]

    def classify_stream(
        self, items: Iterable[tuple[Key, Source]], *, batch_size: int = 32
    ) -> Iterator[list[tuple[Key, StylePrediction | UnreadableImage]]]:
        """Results batch by batch for a stream of (key, source) of any length.

        Items are read a few batches ahead of the forward pass and never all at once, so a
        caller can stream a whole catalogue and store each batch's results as it comes.
        """
        keys: deque = deque()

        def sources():
            for key, source in items:
                keys.append(key)
                yield source

        for outputs in self._batch_outputs(sources(), batch_size):
            yield [(keys.popleft(), self._prediction(output)) for output in outputs]

    def classify_posts_stream(
        self, items: Iterable[tuple[Key, Sequence[Source]]], *, batch_size: int = 32
    ) -> Iterator[list[tuple[Key, StylePrediction | UnreadableImage]]]:
        """`classify_stream` for keys with one or more images each (a carousel post): a key's
        result is `predictions_mean` of its images', given with the batch its last image ends.

        Every key needs at least one source; keys come back in order, each exactly once.
        """
        expected: deque = deque()

        def images():
            for key, sources in items:
                if not sources:
                    raise ValueError(f"{key!r} has no image to classify")
                expected.append(len(sources))
                for source in sources:
                    yield key, source

        collected: list = []
        for batch in self.classify_stream(images(), batch_size=batch_size):
            ready = []
            for key, result in batch:
                collected.append(result)
                if len(collected) == expected[0]:
                    expected.popleft()
                    ready.append((key, predictions_mean(collected)))
                    collected = []
            if ready:
                yield ready
