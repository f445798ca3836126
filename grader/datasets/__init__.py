"""One registry for every dataset an assignment trains or grades on.

Datasets live in memory as tensors (images uint8 N x C x H x W, labels int64):
training and grading slice batches from them instead of decoding samples one
by one in Python, which is what makes CPU grading affordable.

Splits are named ``train`` and ``heldout``; the held-out labels belong to the
judge, which computes accuracy from predictions itself.

To add a dataset, write a loader ``(split, data_root, download) -> ImageDataset``
and add it to ``REGISTRY`` (CIFAR-10 would try ``torchvision.datasets.CIFAR10``
under the data root, then fall back to the seeded synthetic stand-in).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from grader.datasets import mnist, synthetic
from grader.datasets.base import (
    DATA_ROOT_ENV,
    SPLITS,
    ImageDataset,
    resolve_data_root,
    to_float,
)

__all__ = ["DATA_ROOT_ENV", "REGISTRY", "SPLITS", "ImageDataset", "embedded_mnist",
           "get_dataset", "resolve_data_root", "to_float"]

Loader = Callable[[str, "Path | None", bool], ImageDataset]

REGISTRY: dict[str, Loader] = {
    "mnist": mnist.load_mnist,
    "mnist-embedded": mnist.load_embedded,
    "synthetic-cifar10": synthetic.load_cifar10_like,
}


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
    return REGISTRY[name](split, resolve_data_root(data_root), download)


def embedded_mnist(split: str = "train") -> ImageDataset:
    """The shipped MNIST test split, cut into 8,000 train / 2,000 held-out images."""
    return get_dataset("mnist-embedded", split)
