"""The demo style model: trained on generated images (never on K-Fashion data), cached."""

from pathlib import Path

from django.conf import settings

from mlcore.demo_images import demo_training_set_write
from mlcore.preprocessing import Preprocessing
from mlcore.train import RECIPES, Recipe, TrainConfig, train
from recommender.models import ModelVersion
from recommender.services.registry import model_version_register

# Small inputs and a short schedule keep setup within a couple of minutes on 2 CPU cores: 64 px
# crops (the generated pictures' palettes, patterns and silhouettes stay visible at that size) cost
# 2.25 times less than 96 px in training and in classifying the demo catalogue.
DEMO_RECIPE = Recipe(**{**RECIPES["small-data"].__dict__, "name": "demo", "epochs": 6})
DEMO_PREPROCESSING = Preprocessing(resize=72, crop=64)
# One torch thread and one loading process: on 2 cores two torch threads wait for each other at
# every operation, 5-7 times slower when another process holds a core (docs/benchmarks.md, issue 13).
DEMO_TORCH_THREADS = 1
DEMO_LOADER_WORKERS = 1


def demo_model_ensure(*, progress: bool = True, per_style: int = 24) -> ModelVersion:
    """Train (once, cached on disk) and register the demo model; activate it if none is active."""
    folder = Path(settings.DATA_DIR) / "demo-training"
    checkpoint_path = Path(settings.MODEL_CACHE_DIR) / "demo-style-model.pt"
    if not checkpoint_path.exists():
        demo_training_set_write(folder, per_style=per_style)
        train(
            TrainConfig(
                data=folder,
                out=checkpoint_path,
                recipe=DEMO_RECIPE,
                device="cpu",
                val_fraction=0.2,
                workers=DEMO_LOADER_WORKERS,
                threads=DEMO_TORCH_THREADS,
                preprocessing=DEMO_PREPROCESSING,
                is_demo=True,
                trained_on=f"generated demo images ({per_style} per style, 23 styles)",
                progress=progress,
            )
        )
    activate = not ModelVersion.objects.filter(is_active=True).exists()
    return model_version_register(checkpoint_path=checkpoint_path, name="demo", activate=activate)
