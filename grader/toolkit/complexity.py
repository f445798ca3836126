"""Model complexity: parameters, MACs/FLOPs three ways, in-memory and on-disk size.

Counters disagree by convention, so each one is named for what it counts:

- ``analytic_macs``: the convention thop uses for conv and linear layers
  (conv = Cout * Cin/groups * kh * kw * Hout * Wout, linear = in * out; bias,
  ReLU and pooling free). BatchNorm is free too unless ``count_norm``
  reproduces thop's 2 (4 when affine) per element.
- ``thop_macs``: thop itself, run on a deep copy (its ``total_ops`` buffers
  would otherwise leak into the model's state_dict).
- ``flop_counter_flops``: ``torch.utils.flop_counter`` at the aten level,
  FLOPs = 2 x MACs, functional ops included, normalization not counted.
"""

from __future__ import annotations

import copy
import math
import os
import tempfile
import warnings

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def parameter_counts(model: nn.Module) -> dict[str, int]:
    """Total, trainable (requires_grad) and frozen parameter counts; shared tensors once."""
    counts = {"total": 0, "trainable": 0, "frozen": 0}
    for p in model.parameters():  # parameters() already skips shared duplicates
        counts["total"] += p.numel()
        counts["trainable" if p.requires_grad else "frozen"] += p.numel()
    return counts


def _leaf_macs(module: nn.Module, inputs, output, count_norm: bool) -> int:
    if isinstance(module, nn.modules.conv._ConvNd):
        kernel = math.prod(module.kernel_size)
        return output.numel() * (module.in_channels // module.groups) * kernel
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    if count_norm and isinstance(module, nn.modules.batchnorm._BatchNorm):
        return inputs[0].numel() * (4 if module.affine else 2)
    return 0


def _run(model: nn.Module, input_size) -> None:
    device = next(model.parameters(), torch.empty(0)).device
    with torch.no_grad():
        model(torch.zeros(tuple(input_size), device=device))


def analytic_macs(model: nn.Module, input_size, *, count_norm: bool = False) -> int:
    """MACs of one forward pass on an input of ``input_size`` (batch dimension included).

    Counted by forward hooks on Conv/Linear (and, with ``count_norm``,
    BatchNorm) modules, once per call, in eval mode; the model's mode is restored.
    """
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        total += _leaf_macs(module, inputs, output, count_norm)

    was_training = model.training
    handles = [m.register_forward_hook(hook) for m in model.modules()]
    try:
        model.eval()
        _run(model, input_size)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return total


def thop_macs(model: nn.Module, input_size) -> int:
    """MACs as thop.profile counts them (it counts BatchNorm), on a deep copy of ``model``."""
    clone = copy.deepcopy(model).eval()
    device = next(clone.parameters(), torch.empty(0)).device
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # thop still uses distutils
        from thop import profile

        macs, _ = profile(clone, inputs=(torch.zeros(tuple(input_size), device=device),),
                          verbose=False)
    return int(macs)


def flop_counter_flops(model: nn.Module, input_size) -> int:
    """Forward FLOPs (2 x MACs) from torch.utils.flop_counter.FlopCounterMode."""
    was_training = model.training
    counter = FlopCounterMode(display=False)
    try:
        model.eval()
        with counter:
            _run(model, input_size)
    finally:
        model.train(was_training)
    return int(counter.get_total_flops())


def model_size_bytes(model: nn.Module) -> int:
    """Bytes held in memory by parameters and buffers."""
    tensors = list(model.parameters()) + list(model.buffers())
    return sum(t.numel() * t.element_size() for t in tensors)


def saved_size_bytes(model: nn.Module) -> dict[str, int]:
    """File sizes of the state_dict saved with ``torch.save`` and with safetensors."""
    from safetensors.torch import save_model

    with tempfile.TemporaryDirectory() as tmp:
        torch_path = os.path.join(tmp, "model.pt")
        safe_path = os.path.join(tmp, "model.safetensors")
        torch.save(model.state_dict(), torch_path)
        save_model(model, safe_path)  # unlike save_file, handles tied weights
        return {"torch": os.path.getsize(torch_path),
                "safetensors": os.path.getsize(safe_path)}
