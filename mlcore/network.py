"""The network: torchvision's ResNet-18 with a style head, and its (features, logits) pass.

Only processes that classify or train import this module (it imports torch); the checkpoint format
around it is mlcore.model, which does not.
"""

from pathlib import Path

import torch
from torch import nn
from torchvision.models import resnet18

from mlcore.model import CheckpointError


def resnet18_build(num_classes: int) -> nn.Module:
    """torchvision's ResNet-18 with a new head; weights start random (nothing is downloaded)."""
    model = resnet18(weights=None)
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model


def init_weights_load(model: nn.Module, weights_path: str | Path) -> None:
    """Initialise the backbone from a local torchvision ResNet-18 weights file (ImageNet)."""
    state = torch.load(weights_path, map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if not k.startswith("fc.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or [k for k in missing if not k.startswith("fc.")]:
        raise CheckpointError(f"{weights_path} is not a ResNet-18 state dict")


def features_and_logits(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The pooled 512-d features (for similarity search) and the class logits, in one pass."""
    x = model.conv1(x)
    x = model.bn1(x)
    x = model.relu(x)
    x = model.maxpool(x)
    x = model.layer1(x)
    x = model.layer2(x)
    x = model.layer3(x)
    x = model.layer4(x)
    features = torch.flatten(model.avgpool(x), 1)
    return features, model.fc(features)


class FeatureNet(nn.Module):
    """A traceable wrapper returning (features, logits); quantization works on this."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return features_and_logits(self.model, x)
