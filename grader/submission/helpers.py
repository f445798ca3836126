"""Grader-side functions that run next to the student's objects and return data.

Tests call them as `submission.ops.<name>(handle, ...)`. They run where the
student's objects live (the worker), so their results are only data to the
judge: the judge re-checks everything it grades on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

_HELPERS: dict[str, Callable] = {}


def helper(fn: Callable) -> Callable:
    """Register `fn` as callable from tests by its name."""
    _HELPERS[fn.__name__] = fn
    return fn


def get(name: str) -> Callable:
    if name not in _HELPERS:
        raise LookupError(f"no grader helper named {name!r}")
    return _HELPERS[name]


def _module(obj: Any) -> torch.nn.Module:
    if not isinstance(obj, torch.nn.Module):
        raise TypeError(f"expected a torch.nn.Module, got {type(obj).__name__}")
    return obj


@helper
def state_dict(model: Any) -> dict:
    """The model's state_dict as plain tensors."""
    return {k: v.detach().clone() for k, v in _module(model).state_dict().items()}


@helper
def parameter_counts(model: Any) -> dict:
    """Numbers of trainable and frozen parameter elements."""
    params = list(_module(model).parameters())
    trainable = sum(p.numel() for p in params if p.requires_grad)
    total = sum(p.numel() for p in params)
    return {"total": total, "trainable": trainable, "frozen": total - trainable}


@helper
def modules(model: Any) -> list:
    """Every submodule as (qualified name, type name, own parameter count)."""
    return [
        {"name": name, "type": type(m).__name__,
         "params": sum(p.numel() for p in m.parameters(recurse=False))}
        for name, m in _module(model).named_modules()
    ]


@helper
def as_list(obj: Any) -> list:
    """Iterate an object in the worker (a Sequential, a Compose's transforms, ...)."""
    return list(obj)



# ---- building blocks for deep-learning tests -----------------------------------------------
# The judge builds the same modules from the same spec on its side, so it can compute
# expected values itself and hand the worker only what the student's code needs.

_LAYERS = ("Flatten", "Linear", "Conv2d", "ReLU", "MaxPool2d", "BatchNorm2d", "Dropout")


def sequential(spec: list) -> torch.nn.Sequential:
    """`[["Linear", 4, 2], ["ReLU"]]` -> nn.Sequential(Linear(4, 2), ReLU()); shared with the judge."""
    layers = []
    for name, *args in spec:
        if name not in _LAYERS:
            raise ValueError(f"layer {name!r} is not one of {_LAYERS}")
        layers.append(getattr(torch.nn, name)(*args))
    return torch.nn.Sequential(*layers)


@helper
def build_module(spec: list, state: dict | None = None) -> torch.nn.Module:
    """A module built from `spec` (see `sequential`), with `state` loaded if given."""
    module = sequential(spec)
    if state is not None:
        module.load_state_dict(state)
    return module


@helper
def load_state(model: Any, state: dict) -> None:
    _module(model).load_state_dict(state)


@helper
def make_loader(images: torch.Tensor, labels: torch.Tensor, batch_size: int):
    """A DataLoader over (images, labels) in order, as a student's loop expects."""
    dataset = torch.utils.data.TensorDataset(images, labels)
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)


@helper
def make_optimizer(model: Any, name: str, **options: Any) -> torch.optim.Optimizer:
    optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}
    return optimizers[name](_module(model).parameters(), **options)


@helper
def train_and_predict(model: Any, recipe: dict, train_images: torch.Tensor,
                      train_labels: torch.Tensor, eval_images: torch.Tensor, *, mean, std,
                      device: str, seed: int) -> dict:
    """Train with the grader's harness; return predictions for unlabeled `eval_images`."""
    from grader.training import Recipe, train

    result = train(_module(model), recipe=Recipe.from_dict(recipe), train_images=train_images,
                   train_labels=train_labels, eval_images=eval_images, mean=mean, std=std,
                   device=device, seed=seed, progress=False)
    return {"predictions": result.predictions, "loss_curve": result.loss_curve,
            "seconds": result.seconds}


@helper
def macs(model: Any, input_size: tuple) -> int:
    """Multiply-accumulates of one forward pass (thop's convention, counted analytically)."""
    from grader.complexity import analytic_macs

    return analytic_macs(_module(model), input_size, count_norm=True)


@helper
def pil_image(array: Any):
    """A PIL image from a uint8 array (what torchvision datasets hand to transforms)."""
    from PIL import Image

    return Image.fromarray(array)


@helper
def scratch_path(name: str) -> str:
    """A path in a private temporary folder, for functions that write files."""
    import tempfile
    from pathlib import Path

    return str(Path(tempfile.mkdtemp(prefix="grader-")) / Path(name).name)


class CallCounter:
    """A callable that counts its calls (to check a function calls its argument once)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1


@helper
def call_counter() -> CallCounter:
    return CallCounter()


@helper
def manual_seed(seed: int) -> None:
    """Seed the worker's global torch RNG (parameter init, dropout masks)."""
    torch.manual_seed(seed)
