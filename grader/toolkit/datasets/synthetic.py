"""Seeded synthetic image sets that a small CNN can learn: offline stand-ins.

Each class is a smooth random colour pattern; a sample is its class pattern
rolled by up to 8 pixels, rescaled in contrast and brightness, plus noise:
nearest-class-mean gets about 76%, so a CNN has something to learn.
The same seeds give the same bytes on every machine (CPU generator only).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from grader.toolkit.datasets.base import ImageDataset

PROTOTYPE_SEED = 4476
SPLIT_SEEDS = {"train": 1, "heldout": 2}


def class_prototypes(num_classes: int, channels: int, size: int) -> torch.Tensor:
    """One smooth pattern in [-1, 1] per class (num_classes x C x size x size)."""
    g = torch.Generator().manual_seed(PROTOTYPE_SEED)
    coarse = torch.rand(num_classes, channels, 8, 8, generator=g) * 2 - 1
    return F.interpolate(coarse, size=(size, size), mode="bicubic", align_corners=False).clamp(-1, 1)


def synthetic_images(n: int, *, num_classes: int, channels: int, size: int, seed: int,
                     noise: float = 0.7, max_shift: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` uint8 images (N x C x size x size) and their int64 labels."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(num_classes, (n,), generator=g)
    x = class_prototypes(num_classes, channels, size)[labels]
    shifts = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=g)
    x = torch.stack([img.roll(tuple(s.tolist()), dims=(1, 2)) for img, s in zip(x, shifts)])
    contrast = 0.5 + torch.rand(n, 1, 1, 1, generator=g)
    brightness = 0.3 * (torch.rand(n, 1, 1, 1, generator=g) * 2 - 1)
    x = x * contrast + brightness + noise * torch.randn(x.shape, generator=g)
    images = ((x + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
    return images, labels


def load_cifar10_like(split: str, root: Path | None = None, download: bool = False
                      ) -> ImageDataset:
    """CIFAR-10-shaped stand-in: 10 classes of 3 x 32 x 32, 5,000 train / 1,000 held-out."""
    n = 5000 if split == "train" else 1000
    images, labels = synthetic_images(n, num_classes=10, channels=3, size=32,
                                      seed=SPLIT_SEEDS[split])
    return ImageDataset(images, labels, (0.5,) * 3, (0.3,) * 3, "synthetic-cifar10")
