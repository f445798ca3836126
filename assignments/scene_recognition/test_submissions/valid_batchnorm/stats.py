from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.preprocessing import StandardScaler


def compute_mean_and_std(dir_name):
    """Returns numpy floats (scaler.mean_[0], scaler.scale_[0])."""
    scaler = StandardScaler()
    for path in Path(dir_name).glob("**/*"):
        if path.suffix.lower() in {".jpg", ".jpeg", ".png"} and path.is_file():
            gray = np.array(Image.open(path).convert("L")).astype(np.float64)
            scaler.partial_fit((gray / 255.0).flatten()[:, None])
    return scaler.mean_[0], scaler.scale_[0]
