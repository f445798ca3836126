"""What a deployed model costs: parameters, size, MACs, latency and GPU memory."""

import copy
import os
import time

import torch
from thop import profile
from torch import nn


def count_parameters(model: nn.Module) -> int:
    """Number of parameters (all of them, trainable or not)."""
    # TODO: sum the number of elements of every parameter
    raise NotImplementedError("TODO: sum the number of elements of every parameter")


def model_size_mb(model: nn.Module) -> float:
    """In-memory size in MiB: bytes of all parameters and buffers divided by 2**20."""
    # TODO: add numel() * element_size() over parameters and buffers
    raise NotImplementedError("TODO: add numel() * element_size() over parameters and buffers")


def saved_model_size_kb(model: nn.Module, path: str) -> float:
    """Save ``model.state_dict()`` to ``path`` with ``torch.save``; return the file size in KiB."""
    # TODO: torch.save the state dict, then os.path.getsize(path) / 1024
    raise NotImplementedError("TODO: torch.save the state dict, then os.path.getsize(path) / 1024")


def count_macs(model: nn.Module, input_size: tuple) -> int:
    """Multiply-accumulates of one forward pass, as ``thop.profile`` counts them.

    ``input_size`` includes the batch dimension, e.g. ``(1, 1, 28, 28)``.
    Profile a ``copy.deepcopy`` of the model: thop adds buffers to the modules
    it profiles, which would end up in the original model's state_dict.
    """
    # TODO: thop.profile a deep copy on torch.zeros(input_size); return the MACs as an int
    raise NotImplementedError("TODO: thop.profile a deep copy on torch.zeros(input_size); return the MACs as an int")


def inference_time_ms_per_image(model: nn.Module, images: torch.Tensor,
                                device: torch.device | str) -> float:
    """Average milliseconds per image for a forward pass over the batch ``images``.

    ``device`` is a torch.device or its name ("cpu", "cuda"). Runs in eval mode without
    gradients, after one warm-up pass; on CUDA, synchronize before reading the clock
    (kernels run asynchronously).
    """
    # TODO: warm up, synchronize on CUDA, time one forward pass, divide by the batch size
    raise NotImplementedError("TODO: warm up, synchronize on CUDA, time one forward pass, divide by the batch size")


def peak_gpu_memory_mb(fn) -> float:
    """Call ``fn()`` once; return the peak CUDA memory allocated meanwhile in MiB (0.0 on CPU)."""
    # TODO: reset the peak statistics, call fn, read torch.cuda.max_memory_allocated()
    raise NotImplementedError("TODO: reset the peak statistics, call fn, read torch.cuda.max_memory_allocated()")
