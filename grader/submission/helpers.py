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

