"""What a deployed model costs: parameters, size, MACs, latency and GPU memory."""

import copy
import os
import time

import torch
from thop import profile
from torch import nn


def count_parameters(model: nn.Module) -> int:
    """Number of parameters (all of them, trainable or not)."""
    # BEGIN SOLUTION
    # TODO: sum the number of elements of every parameter
    return sum(p.numel() for p in model.parameters())
    # END SOLUTION


def model_size_mb(model: nn.Module) -> float:
    """In-memory size in MiB: bytes of all parameters and buffers divided by 2**20."""
    # BEGIN SOLUTION
    # TODO: add numel() * element_size() over parameters and buffers
    tensors = list(model.parameters()) + list(model.buffers())
    return sum(t.numel() * t.element_size() for t in tensors) / 2**20
    # END SOLUTION


def saved_model_size_kb(model: nn.Module, path: str) -> float:
    """Save ``model.state_dict()`` to ``path`` with ``torch.save``; return the file size in KiB."""
    # BEGIN SOLUTION
    # TODO: torch.save the state dict, then os.path.getsize(path) / 1024
    torch.save(model.state_dict(), path)
    return os.path.getsize(path) / 1024
    # END SOLUTION


def count_macs(model: nn.Module, input_size: tuple) -> int:
    """Multiply-accumulates of one forward pass, as ``thop.profile`` counts them.

    ``input_size`` includes the batch dimension, e.g. ``(1, 1, 28, 28)``.
    Profile a ``copy.deepcopy`` of the model: thop adds buffers to the modules
    it profiles, which would end up in the original model's state_dict.
    """
    # BEGIN SOLUTION
    # TODO: thop.profile a deep copy on torch.zeros(input_size); return the MACs as an int
    clone = copy.deepcopy(model).eval()
    device = next(clone.parameters()).device
    macs, _ = profile(clone, inputs=(torch.zeros(input_size, device=device),), verbose=False)
    return int(macs)
    # END SOLUTION


def inference_time_ms_per_image(model: nn.Module, images: torch.Tensor,
                                device: torch.device | str) -> float:
    """Average milliseconds per image for a forward pass over the batch ``images``.

    ``device`` is a torch.device or its name ("cpu", "cuda"). Runs in eval mode without
    gradients, after one warm-up pass; on CUDA, synchronize before reading the clock
    (kernels run asynchronously).
    """
    # BEGIN SOLUTION
    # TODO: warm up, synchronize on CUDA, time one forward pass, divide by the batch size
    model.eval()
    images = images.to(device)
    use_cuda = torch.device(device).type == "cuda"
    with torch.no_grad():
        model(images)
        if use_cuda:
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        model(images)
        if use_cuda:
            torch.cuda.synchronize(device)
    return (time.perf_counter() - start) * 1000 / len(images)
    # END SOLUTION


def peak_gpu_memory_mb(fn) -> float:
    """Call ``fn()`` once; return the peak CUDA memory allocated meanwhile in MiB (0.0 on CPU)."""
    # BEGIN SOLUTION
    # TODO: reset the peak statistics, call fn, read torch.cuda.max_memory_allocated()
    if not torch.cuda.is_available():
        fn()
        return 0.0
    torch.cuda.reset_peak_memory_stats()
    fn()
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() / 2**20
    # END SOLUTION
