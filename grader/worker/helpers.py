"""Grader helpers: functions that run next to the student's objects and return data.

Tests call them as `submission.helpers.<name>(handle, ...)`. They share an
interpreter with the student's code, which is imported after them and may
patch anything they use (torch, their globals, this module), so what they
return is a claim: the judge binds every number it grades to the student's
real behaviour (see docs/architecture.md, "What the judge trusts").

The dispatcher copies `table()` before any student module is imported, and the
worker then drops this module from `sys.modules`: a submission that imports or
patches it afterwards changes a fresh copy, never the functions being called.
"""

from __future__ import annotations

import functools
import importlib.util
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from PIL import Image

from grader.toolkit.layers import describe_layers, sequential
from grader.toolkit.training import Recipe
from grader.toolkit.training import predict as predict_images
from grader.toolkit.training import train as train_model

_HELPERS: dict[str, Callable] = {}


def helper(fn: Callable) -> Callable:
    """Register `fn` as callable from tests by its name."""
    _HELPERS[fn.__name__] = fn
    return fn


def table(extra: str | Path | None = None) -> dict[str, Callable]:
    """The helpers by name, plus the public functions of an assignment's helper module."""
    found = dict(_HELPERS)
    if extra:
        for name, fn in _public_functions(Path(extra)).items():
            if name in found:
                raise ValueError(f"{extra}: helper {name!r} would replace the grader's own")
            found[name] = fn
    return found


def _public_functions(path: Path) -> dict[str, Callable]:
    spec = importlib.util.spec_from_file_location(f"grader_assignment_helpers_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: fn for name, fn in vars(module).items()
            if callable(fn) and not name.startswith("_")
            and getattr(fn, "__module__", None) == module.__name__}


def _module(obj: Any) -> torch.nn.Module:
    if not isinstance(obj, torch.nn.Module):
        raise TypeError(f"expected a torch.nn.Module, got {type(obj).__name__}")
    return obj


@helper
def state_dict(model: Any) -> dict:
    """The model's state_dict as plain tensors."""
    return {k: v.detach().clone() for k, v in _module(model).state_dict().items()}


@helper
def describe(model: Any, input_size: tuple) -> dict:
    """The model as data: its layers in call order, its modules, weights and trainable flags.

    The judge rebuilds a model from this and checks it computes what the
    student's model computes before it counts, lists or measures anything.
    """
    model = _module(model)
    return {
        "layers": describe_layers(model, input_size),
        "modules": [{"name": name, "type": type(m).__name__} for name, m in model.named_modules()],
        "state": state_dict(model),
        "trainable": {name: p.requires_grad for name, p in model.named_parameters()},
    }


@helper
def as_list(obj: Any) -> list:
    """Iterate an object in the worker (a Sequential, a Compose's transforms, ...)."""
    return list(obj)


@helper
def build_module(spec: list, state: dict | None = None) -> torch.nn.Module:
    """A module built from `spec` (see `toolkit.layers.sequential`), with `state` loaded."""
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
def train(model: Any, recipe: dict, train_images: torch.Tensor, train_labels: torch.Tensor, *,
          mean, std, device: str, seed: int) -> dict:
    """Train with the grader's harness; return the trained weights and the loss curve.

    The model is left on the CPU in eval mode, so the judge can compare its
    forward with the judge's own model loaded with these weights.
    """
    model = _module(model)
    result = train_model(model, recipe=Recipe.from_dict(recipe), train_images=train_images,
                         train_labels=train_labels, mean=mean, std=std, device=device,
                         seed=seed, progress=False)
    model.to("cpu").eval()
    return {"state": state_dict(model), "loss_curve": result.loss_curve,
            "seconds": result.seconds}


@helper
def predict(model: Any, images: torch.Tensor, *, mean, std, device: str) -> torch.Tensor:
    """Class predictions for unlabeled images (the judge sends them in a secret order)."""
    return predict_images(_module(model), images, device=device, mean=mean, std=std)


@helper
def inference(model: Any, *inputs: Any) -> Any:
    """``model(*inputs)`` with autograd off: no graph is kept, as when timing inference."""
    with torch.no_grad():
        return model(*inputs)


@helper
def pil_image(array: Any):
    """A PIL image from a uint8 array (what torchvision datasets hand to transforms)."""
    return Image.fromarray(array)


@helper
def scratch_path(name: str) -> str:
    """A path in a private temporary folder, for functions that write files."""
    return str(Path(tempfile.mkdtemp(prefix="grader-")) / Path(name).name)


@helper
def plain_sgd_step(model: Any, images: torch.Tensor, labels: torch.Tensor, lr: float) -> None:
    """One plain SGD step (w -= lr * grad) of ``model`` on the mean cross-entropy of a batch,
    in the mode the model is in; a parameter that gets no gradient stays as it is."""
    with torch.enable_grad():
        loss = F.cross_entropy(model(images), labels)
        model.zero_grad()
        loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p -= lr * p.grad


@helper
def plain_sgd_stepper(model: Any, images: torch.Tensor, labels: torch.Tensor,
                      lr: float) -> Callable[[], None]:
    """A function of no arguments that takes one `plain_sgd_step` each time it is called:
    the judge tells how often it ran by what the model computes afterwards."""
    return functools.partial(plain_sgd_step, model, images, labels, lr)


@helper
def manual_seed(seed: int) -> None:
    """Seed the worker's global torch RNG (parameter init, dropout masks)."""
    torch.manual_seed(seed)
