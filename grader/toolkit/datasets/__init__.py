"""One registry for every dataset an assignment trains or grades on.

Datasets live in memory as tensors (images uint8 N x C x H x W, labels int64):
training and grading slice batches from them instead of decoding samples one
by one in Python, which is what makes CPU grading affordable.

Splits are named ``train`` and ``heldout``; the held-out labels belong to the
judge, which computes accuracy from predictions itself.

A loader is ``(split, data_root, download) -> ImageDataset``: ``data_root`` is a
``Path`` or None, and ``download`` says whether it may fetch missing files (CIFAR-10
would try ``torchvision.datasets.CIFAR10`` under the data root, then fall back to
a seeded synthetic stand-in).

The real datasets' files have sources by the same names (``sources``: pinned URLs and
SHA-256 checksums); ``grader prepare`` fetches and checks them into the data root
(``fetch``), so that loaders only read what was verified there.

An assignment adds its own datasets without changing the framework: a module
in its folder, named in assignment.toml as ``[extensions] datasets =
"datasets.py"``, with ``DATASETS = {"name": loader}``. Reading the assignment
registers them (``register_module``), so its tests, ``grader calibrate`` and
``grader prepare`` find them by name like the built-in ones. A dataset whose tests also
load pretrained weights names them beside it, ``WEIGHTS = {"name": ["alexnet"]}``
(sources by name, `weights`): ``grader prepare`` fetches them with the dataset, so that
choosing the dataset is all an assignment.toml says.

Readers of the real datasets' files, for loaders to call: ``cifar`` (CIFAR-10's python
batches), ``folders`` (class folders of image files: 15-Scene), ``weights`` (a weights
file under the data root, checked, as a state dict of a known layout).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path

from grader.toolkit.datasets import mnist, synthetic
from grader.toolkit.datasets.base import (
    DATA_ROOT_ENV,
    SPLITS,
    ImageDataset,
    resolve_data_root,
    to_float,
)
from grader.toolkit.memory import release_free_memory

__all__ = ["DATA_ROOT_ENV", "NEEDS_WEIGHTS", "REGISTRY", "SPLITS", "ImageDataset", "describe", "embedded_mnist",
           "get_dataset", "register_module", "resolve_data_root", "to_float"]

Loader = Callable[[str, "Path | None", bool], ImageDataset]

REGISTRY: dict[str, Loader] = {
    "mnist": mnist.load_mnist,
    "mnist-embedded": mnist.load_embedded,
    "synthetic-cifar10": synthetic.load_cifar10_like,
}
BUILT_IN = frozenset(REGISTRY)
# Where each name registered by an assignment's module came from (the module file).
REGISTERED_FROM: dict[str, Path] = {}
# The weights sources the tests of a registered dataset load with it (a module's WEIGHTS).
NEEDS_WEIGHTS: dict[str, tuple[str, ...]] = {}


def register_module(path: str | os.PathLike) -> list[str]:
    """Add the ``DATASETS`` of the module file at ``path`` to the registry; return the names.

    Registering the same file again reloads it. A name that is built in, or that
    another file registered, is an error: dataset names are global, and
    thresholds are calibrated per dataset.
    """
    path = Path(path).resolve()
    module = _import_file(path)
    datasets = getattr(module, "DATASETS", None)
    if not isinstance(datasets, dict) or not datasets:
        raise ValueError(f"{path}: define DATASETS = {{\"name\": loader, ...}}, where "
                         "loader(split, data_root, download) returns an ImageDataset")
    for name, loader in datasets.items():
        _check_loader(path, name, loader)
    weights = _weights_of(path, module, datasets)
    for name in [n for n, source in REGISTERED_FROM.items() if source == path]:
        del REGISTRY[name], REGISTERED_FROM[name]
    for name in [*datasets, *(n for n in NEEDS_WEIGHTS if n not in REGISTRY)]:
        NEEDS_WEIGHTS.pop(name, None)  # the word of a module registered before, if any
    REGISTRY.update(datasets)
    REGISTERED_FROM.update(dict.fromkeys(datasets, path))
    NEEDS_WEIGHTS.update(weights)
    return list(datasets)


def _weights_of(path: Path, module, datasets: dict) -> dict[str, tuple[str, ...]]:
    """The module's WEIGHTS: {dataset it registers: [weights source names]}."""
    weights = getattr(module, "WEIGHTS", {})
    shape = 'WEIGHTS = {"dataset": ["weights source", ...]}, naming datasets of DATASETS'
    if not isinstance(weights, dict) or not set(weights) <= set(datasets):
        raise ValueError(f"{path}: define {shape}")
    for name, names in weights.items():
        if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
            raise ValueError(f"{path}: WEIGHTS[{name!r}]: define {shape}")
    return {name: tuple(names) for name, names in weights.items()}


def _import_file(path: Path):
    """Import one self-contained module file under a name of its own."""
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    name = f"grader_assignment_datasets_{path.parent.name}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise ValueError(f"{path}: importing it failed: {type(exc).__name__}: {exc} (it is "
                         "loaded on its own: it may import installed packages and grader, "
                         "not the files beside it)") from exc
    return module


def _check_loader(path: Path, name, loader) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"{path}: DATASETS keys must be non-empty strings, not {name!r}")
    if name in BUILT_IN:
        raise ValueError(f"{path}: {name!r} is a built-in dataset; choose another name")
    if REGISTERED_FROM.get(name, path) != path:
        raise ValueError(f"{path}: dataset {name!r} is already registered by "
                         f"{REGISTERED_FROM[name]}")
    try:
        inspect.signature(loader).bind("train", None, False)
    except (TypeError, ValueError):
        raise ValueError(f"{path}: DATASETS[{name!r}] must be a function "
                         "loader(split, data_root, download) -> ImageDataset") from None


def describe() -> dict[str, str]:
    """Each registered name with the first line of its loader's docstring and its origin."""
    lines = {}
    for name in sorted(REGISTRY):
        doc = (inspect.getdoc(REGISTRY[name]) or "").split("\n")[0]
        origin = f" (from {REGISTERED_FROM[name]})" if name in REGISTERED_FROM else ""
        lines[name] = doc + origin
    return lines


def get_dataset(name: str, split: str, *, data_root: str | os.PathLike | None = None,
                download: bool = False) -> ImageDataset:
    """Load ``split`` ("train" or "heldout") of the dataset registered as ``name``.

    ``data_root`` defaults to $GRADER_DATA_ROOT; ``download`` lets torchvision
    fetch missing files into it (never done unless asked).
    """
    if name not in REGISTRY:
        raise KeyError(f"unknown dataset {name!r}; known: {sorted(REGISTRY)}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    dataset = REGISTRY[name](split, resolve_data_root(data_root), download)
    release_free_memory()  # what decoding or generating the images left on the heap
    return dataset


def embedded_mnist(split: str = "train") -> ImageDataset:
    """The shipped MNIST test split, cut into 8,000 train / 2,000 held-out images."""
    return get_dataset("mnist-embedded", split)
