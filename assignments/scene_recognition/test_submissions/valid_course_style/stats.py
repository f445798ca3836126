"""compute_mean_and_std as the course's notebook writes it: a StandardScaler fed image by image."""

import os

import numpy as np
from PIL import Image
from sklearn.preprocessing import StandardScaler


def compute_mean_and_std(dir_name: str):
    """Mean and std of all grayscale pixels (scaled to [0, 1]) of the images under dir_name.

    Returns StandardScaler's own attributes, ``mean_`` and ``scale_``: one-element arrays.
    """
    scaler = StandardScaler()
    for root, _, files in os.walk(dir_name):
        for file_name in files:
            if not file_name.lower().endswith((".jpg", ".jpeg", ".png")):
                continue
            img = Image.open(os.path.join(root, file_name)).convert("L")
            pixels = np.array(img, dtype=np.float32) / 255.0
            scaler.partial_fit(pixels.reshape(-1, 1))
    mean = scaler.mean_
    std = scaler.scale_
    return mean, std
