import copy
import os
import time

import torch
from thop import profile


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p is not None)


def model_size_mb(model):
    size_bytes = 0
    for tensor in list(model.parameters()) + list(model.buffers()):
        size_bytes += tensor.numel() * tensor.element_size()
    return size_bytes / (1024 ** 2)


def saved_model_size_kb(model, path):
    torch.save(model.state_dict(), path)
    size_kb = os.path.getsize(path) / 1024
    return size_kb


def count_macs(model, input_size):
    model_copy = copy.deepcopy(model)
    x = torch.randn(input_size)
    macs, params = profile(model_copy, inputs=(x,), verbose=False)
    return int(macs)


def inference_time_ms_per_image(model, images, device):
    device = torch.device(device)
    model.to(device)
    model.eval()
    images = images.to(device)
    with torch.no_grad():
        _ = model(images)
        if device.type == "cuda":
            torch.cuda.synchronize()
        start_time = time.perf_counter()
        _ = model(images)
        if device.type == "cuda":
            torch.cuda.synchronize()
        end_time = time.perf_counter()
    total_ms = (end_time - start_time) * 1000.0
    return total_ms / images.size(0)


def peak_gpu_memory_mb(fn):
    if not torch.cuda.is_available():
        fn()
        return 0.0
    torch.cuda.reset_peak_memory_stats()
    fn()
    peak_bytes = torch.cuda.max_memory_allocated()
    return peak_bytes / 1024 / 1024
