"""Pooled statistics by combining each image's count, mean and sum of squared deviations
(Chan et al.'s parallel variance), one image at a time."""

from pathlib import Path

import numpy as np
from PIL import Image


def compute_mean_and_std(dir_name):
    n, mean, m2 = 0, 0.0, 0.0
    for path in sorted(Path(dir_name).rglob("*")):
        if not (path.is_file() and path.suffix.lower() in (".jpg", ".jpeg", ".png")):
            continue
        pixels = np.asarray(Image.open(path).convert("L"), dtype=np.float64).ravel() / 255.0
        k, k_mean = pixels.size, pixels.mean()
        k_m2 = ((pixels - k_mean) ** 2).sum()
        delta = k_mean - mean
        total = n + k
        mean += delta * k / total
        m2 += k_m2 + delta**2 * n * k / total
        n = total
    return float(mean), float(np.sqrt(m2 / n))
