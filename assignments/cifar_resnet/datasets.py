"""Datasets of cifar_resnet (``grader list --datasets``); this module stays with the judge.

- ``cifar10-standin``: the offline stand-in of ``cifar_data.py`` (8,000 train /
  2,000 held-out images). CPU grading trains and measures on it, and the CPU
  thresholds are calibrated on it.
- ``cifar10``: torchvision's CIFAR-10 under ``<data root>/cifar-10-batches-py``
  when present (50,000 / 10,000), else the stand-in; ``source`` says which.
  The CUDA accuracy tests train on it.
- ``cifar10-standin-test``: the images students predict for ``predictions.csv``
  and the ones a submitted checkpoint is measured on (``heldout``, 500 images);
  its seed is the judge's secret, so its labels exist only here. Its ``train``
  split is the stand-in's.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import torch

from grader.toolkit.datasets import ImageDataset

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck")
TEST_IMAGES = 500
# The seed of the images students predict. Students receive the generator (cifar_data.py)
# and the images, never this seed: with it they could regenerate the labels.
_TEST_SEED = 0x5EC2E7_C1FA2_661


@functools.cache
def _generator():
    """cifar_data.py, beside this file (registered modules are loaded on their own)."""
    path = Path(__file__).with_name("cifar_data.py")
    spec = importlib.util.spec_from_file_location("cifar_resnet_cifar_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def _standin(split: str) -> ImageDataset:
    images, labels = _generator().load_split(split)
    return ImageDataset(images, labels, CIFAR_MEAN, CIFAR_STD, "cifar10-standin",
                        _generator().CLASSES)


def load_standin(split: str, data_root: Path | None, download: bool) -> ImageDataset:
    """CIFAR-shaped offline stand-in: 8,000 train / 2,000 held-out images, 10 classes."""
    return _standin(split)


@functools.cache
def test_split() -> ImageDataset:
    """The secret images of predictions.csv and checkpoints (their labels stay here)."""
    images, labels = _generator().generate(TEST_IMAGES, _TEST_SEED)
    return ImageDataset(images, labels, CIFAR_MEAN, CIFAR_STD, "cifar10-standin-test",
                        _generator().CLASSES)


def load_test(split: str, data_root: Path | None, download: bool) -> ImageDataset:
    """Stand-in images graded from predictions.csv and checkpoints (500, secret seed)."""
    return test_split() if split == "heldout" else _standin("train")


def load_cifar10(split: str, data_root: Path | None, download: bool) -> ImageDataset:
    """CIFAR-10 under the data root (50,000 / 10,000) when present, else the stand-in."""
    present = data_root is not None and (data_root / "cifar-10-batches-py/test_batch").is_file()
    if not present and not (download and data_root is not None):
        return _standin(split)
    from torchvision.datasets import CIFAR10

    data = CIFAR10(str(data_root), train=split == "train", download=download)
    images = torch.from_numpy(data.data).permute(0, 3, 1, 2).contiguous()
    labels = torch.tensor(data.targets, dtype=torch.int64)
    return ImageDataset(images, labels, CIFAR_MEAN, CIFAR_STD, "cifar10", CLASSES)


DATASETS = {"cifar10-standin": load_standin, "cifar10": load_cifar10,
            "cifar10-standin-test": load_test}
