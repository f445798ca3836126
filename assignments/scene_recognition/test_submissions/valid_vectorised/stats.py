"""Pooled pixel statistics from running sums (float64), one image at a time."""

from pathlib import Path

import numpy as np
from PIL import Image

SUFFIXES = {".jpg", ".jpeg", ".png"}


def image_files(folder: Path):
    """Every image file below ``folder``, at any depth."""
    return (p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def compute_mean_and_std(dir_name: str) -> tuple[float, float]:
    count, total, squares = 0, 0.0, 0.0
    for path in image_files(Path(dir_name)):
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("L"), dtype=np.float64) / 255
        count += pixels.size
        total += pixels.sum()
        squares += np.square(pixels).sum()
    mean = total / count
    variance = max(squares / count - mean**2, 0.0)
    return mean, variance**0.5
