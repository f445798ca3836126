"""Model metrics, with the snippets everyone finds on the PyTorch forums."""

import copy
import os
import time

import torch
from thop import profile
from torch import nn


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def model_size_mb(model: nn.Module) -> float:
    param_size = 0
    for param in model.parameters():
        param_size += param.nelement() * param.element_size()
    buffer_size = 0
    for buffer in model.buffers():
        buffer_size += buffer.nelement() * buffer.element_size()
    return (param_size + buffer_size) / 1024**2


def saved_model_size_kb(model: nn.Module, path: str) -> float:
    torch.save(model.state_dict(), path)
    return os.path.getsize(path) / 1024


def count_macs(model: nn.Module, input_size: tuple) -> int:
    dummy = torch.randn(*input_size)
    macs, _params = profile(copy.deepcopy(model), inputs=(dummy,), verbose=False)
    return int(macs)


def inference_time_ms_per_image(model: nn.Module, images: torch.Tensor,
                                device: torch.device | str) -> float:
    device = torch.device(device)
    model = model.to(device).eval()
    images = images.to(device)
    with torch.no_grad():
        model(images)
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.time()
        model(images)
        if device.type == "cuda":
            torch.cuda.synchronize()
        elapsed = time.time() - start
    return elapsed * 1000 / images.shape[0]


def peak_gpu_memory_mb(fn) -> float:
    if not torch.cuda.is_available():
        fn()
        return 0.0
    torch.cuda.reset_peak_memory_stats()
    fn()
    return torch.cuda.max_memory_allocated() / 2**20
