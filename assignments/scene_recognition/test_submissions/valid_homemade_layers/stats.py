"""Statistics with a StandardScaler, files found with glob's recursive pattern."""

import glob
import os

import numpy as np
from PIL import Image
from sklearn.preprocessing import StandardScaler


def compute_mean_and_std(dir_name: str) -> tuple[float, float]:
    scaler = StandardScaler()
    paths = glob.glob(os.path.join(dir_name, "**", "*"), recursive=True)
    for path in paths:
        if os.path.isfile(path) and os.path.splitext(path)[1].lower() in (".jpg", ".jpeg", ".png"):
            image = Image.open(path).convert("L")
            scaler.partial_fit(np.asarray(image).reshape(-1, 1) / 255.0)
    return float(scaler.mean_[0]), float(np.sqrt(scaler.var_[0]))
