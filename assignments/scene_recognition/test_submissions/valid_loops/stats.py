"""Two passes over the files: the mean first, then the squared deviations from it."""

import os

import numpy as np
from PIL import Image


def list_images(dir_name):
    found = []
    for folder, _, names in os.walk(dir_name):
        for name in names:
            extension = os.path.splitext(name)[1].lower()
            if extension in (".jpg", ".jpeg", ".png"):
                found.append(os.path.join(folder, name))
    return found


def read_gray(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("L"), dtype=np.float64) / 255.0


def compute_mean_and_std(dir_name):
    paths = list_images(dir_name)
    total, count = 0.0, 0
    for path in paths:
        pixels = read_gray(path)
        total += float(pixels.sum())
        count += pixels.size
    mean = total / count
    squares = 0.0
    for path in paths:
        squares += float(((read_gray(path) - mean) ** 2).sum())
    return mean, (squares / count) ** 0.5
