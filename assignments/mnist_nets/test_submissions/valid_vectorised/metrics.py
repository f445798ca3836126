"""Model metrics, vectorised where they can be."""

import copy
import itertools
import os
import time

import torch
from thop import profile
from torch import nn


def count_parameters(model: nn.Module) -> int:
    return sum(map(torch.numel, model.parameters()))


def model_size_mb(model: nn.Module) -> float:
    tensors = itertools.chain(model.parameters(), model.buffers())
    return sum(t.numel() * t.element_size() for t in tensors) / (1 << 20)


def saved_model_size_kb(model: nn.Module, path: str) -> float:
    torch.save(model.state_dict(), path)
    return os.stat(path).st_size / 1024.0


def count_macs(model: nn.Module, input_size: tuple) -> int:
    clone = copy.deepcopy(model)
    device = next(clone.parameters()).device
    macs, _ = profile(clone, inputs=(torch.zeros(input_size, device=device),), verbose=False)
    return round(macs)


def inference_time_ms_per_image(model: nn.Module, images: torch.Tensor,
                                device: torch.device | str) -> float:
    device = torch.device(device)
    on_gpu = device.type == "cuda"
    model.eval()
    model.to(device)
    batch = images.to(device)
    timings = []
    with torch.no_grad():
        for _ in range(4):  # the first pass warms up
            if on_gpu:
                torch.cuda.synchronize()
            start = time.perf_counter()
            model(batch)
            if on_gpu:
                torch.cuda.synchronize()
            timings.append(time.perf_counter() - start)
    return 1000.0 * sum(timings[1:]) / len(timings[1:]) / len(batch)


def peak_gpu_memory_mb(fn) -> float:
    use_cuda = torch.cuda.is_available()
    if use_cuda:
        torch.cuda.reset_peak_memory_stats()
    fn()
    return torch.cuda.max_memory_allocated() / 2**20 if use_cuda else 0.0
