"""CIFAR-10's python batches, read from the layout torchvision reads, without running pickled code.

``<data root>/cifar-10-batches-py/`` holds ``data_batch_1`` ... ``data_batch_5`` (train,
50,000 images) and ``test_batch`` (held out, 10,000), each a pickled dict with ``data``
(uint8, N x 3072, the red plane, then green, then blue, row by row) and ``labels``, plus
``batches.meta`` (``label_names``). `grader prepare` unpacks the tarball there, checked
against its SHA-256.

torchvision's reader is not used: it checks each batch against the MD5 of the published
files, so it refuses any other copy of the same layout (a course's subset, a test's sample),
and it unpickles with the full pickle machinery. This reader lets a pickle build only
numpy arrays, lists, dicts and strings, and checks what it got.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch

from grader.toolkit.datasets.base import ImageDataset

FOLDER = "cifar-10-batches-py"
BATCHES = {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "heldout": ("test_batch",)}
META = "batches.meta"
SHAPE = (3, 32, 32)
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck")
SOURCE = "cifar10"  # the name of its pinned source (grader.toolkit.datasets.sources)

# What a batch's pickle may construct: a numpy array (and its dtype) and, in a file written
# with pickle protocol 2 by Python 3, the bytes in it. Nothing else is callable from a batch.
ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
           ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"a CIFAR-10 batch may hold arrays, lists and "
                                         f"strings only, not {module}.{name}")
        return super().find_class(module, name)


def present(root: Path | None) -> bool:
    """Whether ``root`` holds the batches (both splits' files)."""
    return root is not None and all((root / FOLDER / name).is_file()
                                    for names in BATCHES.values() for name in names)


def _unpickle(path: Path):
    """A pickled dict, its keys as str (bytes keys of a copy Python 3 wrote too)."""
    with open(path, "rb") as f:
        # Python 2 wrote the published files: their strings are bytes, decoded as latin-1.
        entry = _ArraysOnly(f, encoding="latin1").load()
    if not isinstance(entry, dict):
        return None
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in entry.items()}


def read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch file: (uint8 images N x 3 x 32 x 32, int64 labels N)."""
    entry = _unpickle(path)
    if entry is None or "data" not in entry or "labels" not in entry:
        raise ValueError(f"{path}: not a CIFAR-10 batch (a dict with 'data' and 'labels')")
    data = np.asarray(entry["data"])
    labels = np.asarray(entry["labels"], dtype=np.int64)
    size = int(np.prod(SHAPE))
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != size:
        raise ValueError(f"{path}: 'data' should be uint8 N x {size}, found {data.dtype} "
                         f"{data.shape}")
    if labels.shape != (len(data),) or labels.min(initial=0) < 0 or labels.max(initial=0) > 9:
        raise ValueError(f"{path}: 'labels' should be {len(data)} classes in 0..9")
    return data.reshape(-1, *SHAPE), labels


def class_names(root: Path) -> tuple[str, ...]:
    """``label_names`` of ``batches.meta`` when there is one, else CIFAR-10's."""
    meta = root / FOLDER / META
    if not meta.is_file():
        return CLASSES
    names = (_unpickle(meta) or {}).get("label_names", CLASSES)
    return tuple(n.decode("latin1") if isinstance(n, bytes) else str(n) for n in names)


def load(split: str, root: Path, mean: tuple[float, ...] = MEAN,
         std: tuple[float, ...] = STD) -> ImageDataset:
    """``split`` ("train": the five data batches, "heldout": the test batch) under ``root``,
    normalized with ``mean`` and ``std`` (default: the train split's, per channel)."""
    parts = [read_batch(root / FOLDER / name) for name in BATCHES[split]]
    images = torch.from_numpy(np.concatenate([images for images, _ in parts]))
    labels = torch.from_numpy(np.concatenate([labels for _, labels in parts]))
    return ImageDataset(images, labels, mean, std, SOURCE, class_names(root))
