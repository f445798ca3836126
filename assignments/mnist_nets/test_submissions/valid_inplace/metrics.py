import copy
import os
import time

import torch
from thop import profile
from torch import nn


def count_parameters(model: nn.Module) -> int:
    total = 0
    for _name, parameter in model.named_parameters():
        total += parameter.numel()
    return total


def model_size_mb(model: nn.Module) -> float:
    size = sum(p.numel() * p.element_size() for p in model.parameters())
    size += sum(b.numel() * b.element_size() for b in model.buffers())
    return size / 2**20


def saved_model_size_kb(model: nn.Module, path: str) -> float:
    with open(path, "wb") as f:
        torch.save(model.state_dict(), f)
    return os.path.getsize(path) / 2**10


def count_macs(model: nn.Module, input_size: tuple) -> int:
    copied = copy.deepcopy(model).eval()
    macs, params = profile(copied, inputs=(torch.zeros(input_size),), verbose=False)
    return int(macs)


def inference_time_ms_per_image(model: nn.Module, images: torch.Tensor,
                                device: torch.device | str) -> float:
    if isinstance(device, str):
        device = torch.device(device)
    model = model.to(device)
    model.eval()
    images = images.to(device)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    with torch.no_grad():
        model(images)  # warm-up
        sync()
        t0 = time.perf_counter_ns()
        model(images)
        sync()
        t1 = time.perf_counter_ns()
    return (t1 - t0) / 1e6 / len(images)


def peak_gpu_memory_mb(fn) -> float:
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        fn()
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() / (1024 * 1024)
    fn()
    return 0.0
