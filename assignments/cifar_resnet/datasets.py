"""Datasets of cifar_resnet (``grader list --datasets``); this module stays with the judge.

- ``cifar10-standin``: the offline stand-in of ``cifar_data.py`` (8,000 train /
  2,000 held-out images): ``[training] dataset``'s default, which the accuracy tests
  train and measure on, and the thresholds ``[thresholds.<device>]`` are calibrated on.
- ``cifar10``: CIFAR-10's python batches under ``<data root>/cifar-10-batches-py``
  (`grader.toolkit.datasets.cifar`; `grader prepare cifar_resnet --download` puts them
  there) when present (50,000 / 10,000), else the stand-in; ``source`` says which, and
  the thresholds are those of that data. ``[training] dataset = "cifar10"`` grades on it.
- ``cifar10-standin-test``: the images students predict for ``predictions.csv``
  and the ones a submitted checkpoint is measured on (``heldout``, 500 images).
  Its seed is drawn from the course's grading secret (grader.toolkit.secret), so
  its labels exist only for whoever holds that secret, and a new term's secret
  (``grader build --new-secret``) gives new images. Its ``train`` split is the
  stand-in's.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import torch
from safetensors.torch import load_file

from grader.toolkit import secret
from grader.toolkit.datasets import ImageDataset, cifar

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck")
TEST_IMAGES = 500
# The images students predict (the student template ships them; make_artifacts.py writes them).
PUBLIC_TEST_IMAGES = Path(__file__).with_name("test_images.safetensors")


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
    """The secret images of predictions.csv and checkpoints (their labels stay here).

    Students receive the generator (cifar_data.py) and the images, never the seed:
    with it they could regenerate the labels.
    """
    seed = secret.seed(Path(__file__).parent, "cifar10-standin-test")
    images, labels = _generator().generate(TEST_IMAGES, seed)
    return ImageDataset(images, labels, CIFAR_MEAN, CIFAR_STD, "cifar10-standin-test",
                        _generator().CLASSES)


def check_public_images() -> None:
    """The images students were given are the ones graded (else a staff problem, not theirs)."""
    public = load_file(str(PUBLIC_TEST_IMAGES))["images"]
    if not torch.equal(public, test_split().images):
        raise RuntimeError(f"{PUBLIC_TEST_IMAGES.name} was made with another grading secret "
                           "than the course's: run make_artifacts.py --secret-files, then "
                           "grader template, and give students the new images.")


def load_test(split: str, data_root: Path | None, download: bool) -> ImageDataset:
    """Stand-in images graded from predictions.csv and checkpoints (500, secret seed)."""
    if split != "heldout":
        return _standin("train")
    check_public_images()
    return test_split()


def load_cifar10(split: str, data_root: Path | None, download: bool) -> ImageDataset:
    """CIFAR-10 under the data root (50,000 / 10,000) when present, else the stand-in."""
    if not cifar.present(data_root):
        return _standin(split)
    return cifar.load(split, data_root, CIFAR_MEAN, CIFAR_STD)


DATASETS = {"cifar10-standin": load_standin, "cifar10": load_cifar10,
            "cifar10-standin-test": load_test}
