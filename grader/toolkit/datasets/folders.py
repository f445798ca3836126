"""Image files sorted into class folders, ``<split folder>/<class>/<image>``: 15-Scene's layout
(and torchvision's ImageFolder's), read into one uint8 tensor of a fixed size.

Files of any size and mode (grayscale or colour JPEG, PNG) are converted to one PIL mode and
resized the way ``transforms.Resize`` resizes a PIL image, so that every test, and every
model, gets images of the one size it was calibrated with.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch
from PIL import Image

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def read_image(data: bytes | Path, size: int, mode: str = "L") -> np.ndarray:
    """A file (its bytes or its path) in PIL ``mode``, resized to ``size`` x ``size``:
    uint8, H x W for "L", H x W x C otherwise."""
    with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as image:
        resized = image.convert(mode).resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(resized)


def class_folders(folder: Path) -> tuple[str, ...]:
    """The class folders under ``folder``, sorted: class i is the i-th name."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of class folders")
    return tuple(sorted(p.name for p in folder.iterdir() if p.is_dir()))


def read_tree(folder: Path, size: int, mode: str = "L", classes: tuple[str, ...] | None = None
              ) -> tuple[torch.Tensor, torch.Tensor, tuple[str, ...]]:
    """Every image under ``folder/<class>/``: (uint8 N x C x size x size, int64 labels, classes).

    ``classes``: the class names the labels number (a test split numbered like its train
    split); its class folders must be exactly those. Default: the folders found.
    """
    found = class_folders(folder)
    if classes is not None and found != tuple(classes):
        raise ValueError(f"{folder}: class folders {list(found)} differ from the "
                         f"{len(classes)} expected: {list(classes)}")
    pixels, labels = [], []
    for label, name in enumerate(found):
        for path in sorted((folder / name).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                pixels.append(read_image(path, size, mode))
                labels.append(label)
    if not pixels:
        raise ValueError(f"{folder}: no {'/'.join(IMAGE_SUFFIXES)} images in its class folders")
    images = torch.from_numpy(np.stack(pixels))
    images = images.unsqueeze(1) if images.dim() == 3 else images.permute(0, 3, 1, 2)
    return images.contiguous(), torch.tensor(labels, dtype=torch.int64), found
