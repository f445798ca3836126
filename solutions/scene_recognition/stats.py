"""Normalization statistics of a folder of images."""

from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.preprocessing import StandardScaler

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def compute_mean_and_std(dir_name: str) -> tuple[float, float]:
    """Mean and standard deviation of every pixel of every image under ``dir_name``.

    Every file below ``dir_name``, in all sub-folders at any depth, whose suffix
    is .jpg, .jpeg or .png (any case) counts. Each image is converted to
    grayscale with PIL's ``convert("L")`` (colour images included) and its
    pixels are scaled to [0, 1]. The statistics are those of all these pixels
    pooled together: the standard deviation is the population one (ddof=0), not
    an average of per-image values. Images are streamed one at a time into
    ``sklearn.preprocessing.StandardScaler.partial_fit``, so the folder never
    has to fit in memory. Returns two Python floats ``(mean, std)`` (arrays of
    shape (1,), as the scaler's ``mean_`` and ``scale_`` are, are accepted too).
    Files in the folder itself and deeper than ``<split>/<class>/`` count too.
    """
    # BEGIN SOLUTION
    # TODO: partial_fit a StandardScaler on each image's pixels (a column of values in [0, 1])
    scaler = StandardScaler()
    for path in sorted(Path(dir_name).rglob("*")):
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            with Image.open(path) as image:
                pixels = np.asarray(image.convert("L"), dtype=np.float64) / 255.0
            scaler.partial_fit(pixels.reshape(-1, 1))
    # var_ is the population variance; scale_ would replace a zero one by 1.
    return float(scaler.mean_[0]), float(np.sqrt(scaler.var_[0]))
    # END SOLUTION
