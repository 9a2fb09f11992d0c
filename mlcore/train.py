"""Train the style classifier: `python -m mlcore.train --data DIR --out FILE`.

Named recipes: `original` reproduces the hackathon prototype (SGD lr 0.001 momentum 0.9, StepLR
7/0.1, 10 epochs, RandomResizedCrop + flip); `small-data` adds warm-up + cosine at a higher rate,
gentler crops and regularisers for long schedules; `fast-fit` is `small-data` without the extra
regularisers, the measured best from scratch on a small budget (see docs/benchmarks.md). Progress
is shown per batch, metrics per epoch, the best checkpoint is kept, and an interrupted run resumes
from its state file. After the last epoch a temperature is fitted on the validation split (the
best checkpoint's logits), so the probabilities the product shows are calibrated
(mlcore.calibration).
"""

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, WeightedRandomSampler
from tqdm import tqdm

from mlcore.calibration import (
    expected_calibration_error,
    softmax_with_temperature,
    temperature_fit,
)
from mlcore.datasets import StyleDataset, collate_skipping_unreadable
from mlcore.kfashion import (
    DataSplit,
    KFashionRecord,
    data_fingerprint,
    held_out_split,
    records_scan,
    style_counts,
    training_sample,
)
from mlcore.model import StyleCheckpoint
from mlcore.network import init_weights_load, resnet18_build
from mlcore.ood import energy_threshold
from mlcore.preprocessing import Preprocessing
from mlcore.progress import progress_bar
from mlcore.styles import TAXONOMY_INDEX
from mlcore.transforms import eval_transform, train_transform


@dataclass(frozen=True)
class Recipe:
    name: str
    epochs: int = 10
    batch_size: int = 32
    lr: float = 0.001
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = "step"  # "step" (StepLR) or "cosine" (linear warm-up, then cosine decay)
    step_size: int = 7
    gamma: float = 0.1
    warmup_epochs: int = 0
    label_smoothing: float = 0.0
    balanced_sampling: bool = False
    strong_augmentation: bool = False
    crop_scale_min: float = 0.08


RECIPES = {
    "original": Recipe(name="original"),
    "small-data": Recipe(
        name="small-data",
        epochs=30,
        lr=0.05,
        weight_decay=5e-4,
        schedule="cosine",
        warmup_epochs=2,
        label_smoothing=0.1,
        balanced_sampling=True,
        strong_augmentation=True,
        crop_scale_min=0.35,
    ),
}
# Measured on the shared sample (docs/benchmarks.md): on a CPU-sized budget ResNet-18 underfits
# from scratch, and small-data's extra regularisers (label smoothing, class-balanced sampling,
# colour jitter, random erasing) cost more than they give; without them it learns clearly faster.
RECIPES["fast-fit"] = replace(
    RECIPES["small-data"],
    name="fast-fit",
    label_smoothing=0.0,
    balanced_sampling=False,
    strong_augmentation=False,
)


@dataclass
class TrainConfig:
    data: Path
    out: Path
    recipe: Recipe = RECIPES["original"]
    device: str = "auto"
    init_weights: Path | None = None
    cap_per_style: int | None = None
    val_fraction: float = 0.1
    seed: int = 0
    workers: int = 2
    preprocessing: Preprocessing = Preprocessing()
    include_other: bool = False
    is_demo: bool = False
    trained_on: str = ""
    progress: bool = True
    measure_int8: bool = True
    # torch intra-op threads while training (None: torch's default, one per core). On a machine
    # whose cores are busy with other work, 1 thread is several times faster than 2 (the threads
    # wait for each other at every operation; measured in docs/benchmarks.md).
    threads: int | None = None

    @property
    def split(self) -> DataSplit:
        return DataSplit(
            val_fraction=self.val_fraction,
            seed=self.seed,
            cap_per_style=self.cap_per_style,
            include_other=self.include_other,
        )

    def evaluation_set_name(self, images: int) -> str:
        """What the checkpoint's validation figures were measured on, in words."""
        return f"held-out {self.val_fraction:.0%} of {Path(self.data).name}, {images} images"


@dataclass
class EpochReport:
    epoch: int
    epochs: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float


def device_resolve(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but no GPU is available")
    return torch.device(name)


def classes_for(records: list[KFashionRecord]) -> list[str]:
    """The styles present, in taxonomy order (so class lists are stable across runs)."""
    present = {r.style for r in records}
    return sorted(present, key=TAXONOMY_INDEX.__getitem__)


def _scheduler(optimizer, recipe: Recipe, steps_per_epoch: int):
    if recipe.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, recipe.step_size, recipe.gamma), "epoch"
    total = recipe.epochs * steps_per_epoch
    warmup = recipe.warmup_epochs * steps_per_epoch

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor), "step"


def _run_epoch(
    model,
    loader,
    criterion,
    device,
    optimizer=None,
    scheduler=None,
    desc="",
    progress=True,
):
    training = optimizer is not None
    model.train(training)
    total_loss, correct, seen = 0.0, 0, 0
    bar = progress_bar(loader, desc=desc, unit="batch", leave=False, disable=not progress)
    with torch.set_grad_enabled(training):
        for x, y in bar:
            if len(y) == 0:
                continue
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            logits = model(x)
            loss = criterion(logits, y)
            if training:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            bar.set_postfix(
                loss=f"{total_loss / seen:.3f}", acc=f"{correct / seen:.3f}", refresh=False
            )
    return total_loss / max(seen, 1), correct / max(seen, 1)


def _data_loaders(
    config: TrainConfig,
    device: torch.device,
    classes: list[str],
    train_records: list[KFashionRecord],
    val_records: list[KFashionRecord],
) -> tuple[DataLoader, DataLoader]:
    """The shuffled (or class-balanced) training loader and the ordered validation loader."""
    recipe, pre = config.recipe, config.preprocessing
    train_set = StyleDataset(
        train_records,
        classes,
        train_transform(
            pre, strong=recipe.strong_augmentation, crop_scale_min=recipe.crop_scale_min
        ),
        pre.resize,
    )
    val_set = StyleDataset(val_records, classes, eval_transform(pre), pre.resize)
    sampler = None
    if recipe.balanced_sampling:
        counts = style_counts(train_records)
        weights = [1.0 / counts[r.style] for r in train_records]
        sampler = WeightedRandomSampler(
            weights, num_samples=len(weights), generator=torch.Generator().manual_seed(config.seed)
        )
    loader_args = {
        "batch_size": recipe.batch_size,
        "num_workers": config.workers,
        "collate_fn": collate_skipping_unreadable,
        "persistent_workers": config.workers > 0,
        "pin_memory": device.type == "cuda",
        # A stuck decoding worker raises instead of hanging the run for ever.
        "timeout": 300 if config.workers > 0 else 0,
    }
    train_loader = DataLoader(
        train_set,
        shuffle=sampler is None,
        sampler=sampler,
        generator=torch.Generator().manual_seed(config.seed),
        drop_last=len(train_set) > recipe.batch_size,
        **loader_args,
    )
    return train_loader, DataLoader(val_set, shuffle=False, **loader_args)


def _resume(
    config: TrainConfig, state_path: Path, fingerprint: str, model, optimizer, scheduler
) -> tuple[int, float, list[dict]]:
    """(epochs done, best validation top-1, history) of an interrupted run on the same data with
    the same recipe, its model, optimiser and scheduler restored; a fresh start otherwise."""
    if not state_path.exists():
        return 0, -1.0, []
    state = torch.load(state_path, map_location="cpu", weights_only=False)
    if state.get("fingerprint") != fingerprint or state.get("recipe") != asdict(config.recipe):
        return 0, -1.0, []
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng"])
    _say(config, f"resuming at epoch {state['epoch'] + 1} of {config.recipe.epochs}")
    return state["epoch"], state["best"], state["history"]


def train(
    config: TrainConfig, on_epoch: Callable[[EpochReport], None] | None = None
) -> StyleCheckpoint:
    """Train with config.threads torch threads, then give the process its thread count back."""
    previous = torch.get_num_threads()
    if config.threads:
        torch.set_num_threads(config.threads)
    try:
        return _train(config, on_epoch)
    finally:
        torch.set_num_threads(previous)


def _train(
    config: TrainConfig, on_epoch: Callable[[EpochReport], None] | None = None
) -> StyleCheckpoint:
    """Train, keep the best checkpoint (by validation accuracy) at config.out, and return it.

    The saved checkpoint carries the temperature fitted on the validation split for its weights.
    """
    torch.manual_seed(config.seed)
    recipe = config.recipe
    device = device_resolve(config.device)
    records = training_sample(records_scan(config.data), config.split)
    if not records:
        raise ValueError(f"no labelled images under {config.data}")
    train_records, val_records = held_out_split(records, config.split)
    classes = classes_for(records)
    if len(classes) < 2:
        raise ValueError("training needs at least two styles")
    train_loader, val_loader = _data_loaders(config, device, classes, train_records, val_records)

    model = resnet18_build(len(classes))
    if config.init_weights:
        init_weights_load(model, config.init_weights)
    model.to(device)
    criterion = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)
    optimizer = torch.optim.SGD(
        model.parameters(),
        lr=recipe.lr,
        momentum=recipe.momentum,
        weight_decay=recipe.weight_decay,
        nesterov=recipe.schedule == "cosine",
    )
    scheduler, scheduler_unit = _scheduler(optimizer, recipe, max(1, len(train_loader)))

    fingerprint = data_fingerprint(records, config.data)
    state_path = config.out.with_suffix(config.out.suffix + ".resume")
    start_epoch, best_accuracy, history = _resume(
        config, state_path, fingerprint, model, optimizer, scheduler
    )
    majority = max(style_counts(val_records).values()) / max(1, len(val_records))
    _say(
        config,
        f"{len(train_records)} train / {len(val_records)} val images, "
        f"{len(classes)} styles, device {device}, recipe {recipe.name}",
    )
    best: StyleCheckpoint | None = (
        StyleCheckpoint.load(config.out) if (start_epoch and config.out.exists()) else None
    )
    for epoch in range(start_epoch, recipe.epochs):
        started = time.perf_counter()
        train_loss, train_acc = _run_epoch(
            model,
            train_loader,
            criterion,
            device,
            optimizer,
            scheduler if scheduler_unit == "step" else None,
            desc=f"epoch {epoch + 1}/{recipe.epochs} train",
            progress=config.progress,
        )
        if scheduler_unit == "epoch":
            scheduler.step()
        val_loss, val_acc = _run_epoch(
            model,
            val_loader,
            criterion,
            device,
            desc=f"epoch {epoch + 1}/{recipe.epochs} val",
            progress=config.progress,
        )
        report = EpochReport(
            epoch + 1,
            recipe.epochs,
            train_loss,
            train_acc,
            val_loss,
            val_acc,
            time.perf_counter() - started,
        )
        history.append(asdict(report))
        _say(
            config,
            f"epoch {report.epoch}/{report.epochs}: train loss {train_loss:.4f} "
            f"acc {train_acc:.4f} | val loss {val_loss:.4f} acc {val_acc:.4f} "
            f"({report.seconds:.1f}s)",
        )
        if val_acc > best_accuracy:
            best_accuracy = val_acc
            best = StyleCheckpoint(
                classes=classes,
                state_dict={k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
                preprocessing=config.preprocessing,
                metrics=_validation_metrics(config, report, majority, val_records, train_records),
                trained_on=config.trained_on or str(config.data),
                data_fingerprint=fingerprint,
                recipe=asdict(recipe),
                is_demo=config.is_demo,
                split=config.split,
            )
            best.save(config.out)
        best.metrics["history"] = history
        torch.save(
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": torch.get_rng_state(),
                "epoch": epoch + 1,
                "best": best_accuracy,
                "history": history,
                "fingerprint": fingerprint,
                "recipe": asdict(recipe),
            },
            state_path,
        )
        if on_epoch:
            on_epoch(report)
    best.metrics["history"] = history
    checkpoint_calibrate(best, model, val_loader, device)
    _say(
        config,
        f"temperature {best.temperature:.3f}: validation expected calibration error "
        f"{best.metrics['val_ece_before']:.4f} -> {best.metrics['val_ece_after']:.4f}",
    )
    best.save(config.out)
    if config.measure_int8:
        int8_measure(best, config, train_records, val_records)
    state_path.unlink(missing_ok=True)
    return best


def _validation_metrics(
    config: TrainConfig,
    report: EpochReport,
    majority: float,
    val_records: list[KFashionRecord],
    train_records: list[KFashionRecord],
) -> dict:
    """What a checkpoint says about its validation, named so a reader knows which images."""
    return {
        "val_top1": report.val_accuracy,
        "val_loss": report.val_loss,
        "epoch": report.epoch,
        "majority_baseline": majority,
        "val_images": len(val_records),
        "train_images": len(train_records),
        "evaluation_set": config.evaluation_set_name(len(val_records)),
    }


def int8_measure(
    checkpoint: StyleCheckpoint,
    config: TrainConfig,
    train_records: list[KFashionRecord],
    val_records: list[KFashionRecord],
) -> None:
    """Record the int8 model's validation top-1: it is only served within a point of fp32."""
    from mlcore.evaluate import evaluate

    int8 = evaluate(
        config.out,
        val_records,
        quantized=True,
        calibration_sources=[r.image_path for r in train_records[:64]],
    )
    checkpoint.metrics["val_top1_int8"] = float(int8["top1"])
    _say(
        config,
        f"int8 validation top-1 {int8['top1']:.4f} (fp32 {checkpoint.metrics['val_top1']:.4f})",
    )
    checkpoint.save(config.out)


@torch.inference_mode()
def validation_logits(model: nn.Module, loader, device) -> tuple[torch.Tensor, torch.Tensor]:
    """The model's logits and the true labels over a loader, in evaluation mode, on the CPU."""
    model.eval()
    logits, labels = [], []
    for x, y in loader:
        if len(y):
            logits.append(model(x.to(device, non_blocking=True)).float().cpu())
            labels.append(y)
    if not labels:
        return torch.empty(0, model.fc.out_features), torch.empty(0, dtype=torch.long)
    return torch.cat(logits), torch.cat(labels)


def checkpoint_calibrate(checkpoint: StyleCheckpoint, model: nn.Module, val_loader, device) -> None:
    """Fit the checkpoint's temperature on the validation split, with the checkpoint's weights.

    Also records the validation top-3 and the expected calibration error before and after; the
    "after" figure is measured on the split the temperature was fitted on, so it is optimistic:
    `python -m mlcore.evaluate` on unseen images gives the honest one.
    """
    model.load_state_dict(checkpoint.state_dict)
    logits, labels = validation_logits(model, val_loader, device)
    logits, labels = logits.numpy(), labels.numpy()
    if not len(labels):
        raise ValueError("none of the validation images could be read: nothing to calibrate on")
    checkpoint.temperature = temperature_fit(logits, labels)
    checkpoint.ood_energy_threshold = energy_threshold(logits)
    top3 = np.argsort(-logits, axis=1, kind="stable")[:, :3]
    checkpoint.metrics["val_top3"] = float((top3 == labels[:, None]).any(axis=1).mean())
    checkpoint.metrics["val_ece_before"] = expected_calibration_error(
        softmax_with_temperature(logits), labels
    )
    checkpoint.metrics["val_ece_after"] = expected_calibration_error(
        softmax_with_temperature(logits, checkpoint.temperature), labels
    )


def _say(config: TrainConfig, message: str) -> None:
    if config.progress:
        tqdm.write(message, file=sys.stderr)


def parser_build(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="K-Fashion folder")
    parser.add_argument("--out", required=True, type=Path, help="checkpoint file to write")
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="original")
    parser.add_argument("--epochs", type=int, help="override the recipe's epoch count")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--device", choices=["cpu", "cuda", "auto"], default="auto")
    parser.add_argument(
        "--init-weights",
        type=Path,
        help="local torchvision ResNet-18 weights file (nothing is downloaded)",
    )
    parser.add_argument("--cap-per-style", type=int, help="balanced sampling cap per style")
    parser.add_argument("--val-fraction", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, help="torch threads (default: one per core)")
    parser.add_argument(
        "--image-size", type=int, default=224, help="crop size (resize = 8/7 of it)"
    )
    parser.add_argument("--demo", action="store_true", help="label the checkpoint as a demo model")
    return parser


def config_from_args(args) -> TrainConfig:
    recipe = RECIPES[args.recipe]
    if args.epochs:
        recipe = replace(recipe, epochs=args.epochs)
    if args.batch_size:
        recipe = replace(recipe, batch_size=args.batch_size)
    crop = args.image_size
    return TrainConfig(
        data=args.data,
        out=args.out,
        recipe=recipe,
        device=args.device,
        init_weights=args.init_weights,
        cap_per_style=args.cap_per_style,
        val_fraction=args.val_fraction,
        seed=args.seed,
        workers=args.workers,
        threads=args.threads,
        preprocessing=Preprocessing(resize=round(crop * 8 / 7), crop=crop),
        is_demo=args.demo,
    )


def train_summary(checkpoint: StyleCheckpoint, out: Path) -> str:
    """One line on what was trained, for the command line and manage.py alike."""
    metrics = checkpoint.metrics
    return (
        f"best validation top-1 {metrics['val_top1']:.4f}, top-3 {metrics['val_top3']:.4f} "
        f"(majority baseline {metrics['majority_baseline']:.4f}; {metrics['evaluation_set']}), "
        f"temperature {checkpoint.temperature:.3f} -> {out}"
    )


def main(argv=None) -> int:
    args = parser_build().parse_args(argv)
    checkpoint = train(config_from_args(args))
    print(train_summary(checkpoint, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
