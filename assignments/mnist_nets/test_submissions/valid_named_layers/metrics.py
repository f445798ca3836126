"""Model metrics."""

import copy
import time
from pathlib import Path

import torch
from thop import profile
from torch import nn

MIB = 1024 * 1024


def count_parameters(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def model_size_mb(model: nn.Module) -> float:
    state = model.state_dict()  # parameters and buffers (num_batches_tracked included)
    return sum(t.numel() * t.element_size() for t in state.values()) / MIB


def saved_model_size_kb(model: nn.Module, path: str) -> float:
    torch.save(model.state_dict(), path)
    return Path(path).stat().st_size / 1024


def count_macs(model: nn.Module, input_size: tuple) -> int:
    macs, _ = profile(copy.deepcopy(model), inputs=(torch.rand(*input_size),), verbose=False)
    return int(macs)


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def inference_time_ms_per_image(model: nn.Module, images: torch.Tensor,
                                device: torch.device | str) -> float:
    device = torch.device(device)
    model.eval().to(device)
    images = images.to(device)
    with torch.no_grad():
        model(images)
        _synchronize(device)
        started = time.monotonic()
        model(images)
        _synchronize(device)
        seconds = time.monotonic() - started
    return seconds * 1e3 / len(images)


def peak_gpu_memory_mb(fn) -> float:
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    fn()
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / MIB
    return 0.0
