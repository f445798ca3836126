"""Weights the judge draws: loaded into the student's model and into the judge's own, so
that the weights two models are compared with are never the student's choice.
"""

from __future__ import annotations

import torch
from torch import nn


def replace_weights(state: dict, new: dict) -> dict:
    """A student's reported ``state`` with the values of ``new`` (the judge's, by the student's
    names), to load into the student's model.

    A layer the model holds under two names (an attribute that is also a Sequential's item)
    is reported, and loaded, under both, the last one winning: an entry ``new`` leaves out
    that holds the same tensor as one it replaces (same last name, equal values) takes the
    same new value. One that merely looks the same is no layer the forward computes with
    (``new`` has those), so what it takes changes nothing.
    """
    aliases = {other: new[key] for key in new for other, value in state.items()
               if other not in new and _same_tensor(key, state[key], other, value)}
    return {**state, **aliases, **new}


def _same_tensor(key: str, value: torch.Tensor, other: str, other_value: torch.Tensor) -> bool:
    return (key.rsplit(".", 1)[-1] == other.rsplit(".", 1)[-1] and value.dtype == other_value.dtype
            and value.shape == other_value.shape and torch.equal(value, other_value))


def draw_weights(model: nn.Module, generator: torch.Generator) -> nn.Module:
    """Redraw every weight of ``model``'s Linear, Conv and BatchNorm layers from ``generator``.

    Linear and Conv weights and biases are uniform in +-1/sqrt(fan-in), as torch initialises
    them, so activations keep their usual scale; batch-norm scales and running variances are
    uniform in [0.5, 1.5], shifts and running means in +-0.5. Counters stay as they are.
    """
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear | nn.modules.conv._ConvNd):
                bound = module.weight[0].numel() ** -0.5
                ranges = {"weight": (-bound, bound), "bias": (-bound, bound)}
            elif isinstance(module, nn.modules.batchnorm._BatchNorm):
                ranges = {"weight": (0.5, 1.5), "running_var": (0.5, 1.5),
                          "bias": (-0.5, 0.5), "running_mean": (-0.5, 0.5)}
            else:
                continue
            for name, (low, high) in ranges.items():
                tensor = getattr(module, name, None)
                if tensor is not None:
                    tensor.uniform_(low, high, generator=generator)
    return model
