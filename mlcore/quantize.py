"""x86 int8 static quantization (FX graph mode), calibrated on real images."""

import copy
import warnings
from collections.abc import Iterable

import torch
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx


def int8_quantize(
    net: torch.nn.Module, calibration: Iterable[torch.Tensor], backend: str = "x86"
) -> torch.nn.Module:
    """Return an int8 copy of `net`, its activation ranges observed on the calibration batches."""
    # torch.ao.quantization announces its move to torchao on every call; torch is pinned
    # (requirements/train.txt), so the notices only fill logs and a newcomer's `make run`.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated")
        warnings.filterwarnings("ignore", message=r"Please use quant_min and quant_max")
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor")
        return _int8_quantize(net, calibration, backend)


def _int8_quantize(net, calibration, backend: str) -> torch.nn.Module:
    torch.backends.quantized.engine = backend
    net = copy.deepcopy(net).eval()
    example = None
    for batch in calibration:
        if batch is None:
            continue
        if example is None:
            example = batch[:1]
            prepared = prepare_fx(net, get_default_qconfig_mapping(backend), (example,))
        with torch.inference_mode():
            prepared(batch)
    if example is None:
        raise ValueError("int8 calibration needs at least one readable image")
    return convert_fx(prepared).eval()
