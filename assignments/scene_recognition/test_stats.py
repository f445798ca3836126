"""compute_mean_and_std over a folder of image files the judge writes fresh for each run.

Each statistic may be a float or, as the course's StandardScaler gives it (``mean_``,
``scale_``), an array of shape (1,).

The folder mixes PNG and JPEG files (one with an upper-case suffix), grayscale
and colour images of varied sizes, nested sub-folders of different
brightness, and a file that is not an image. The judge computes the expected
statistics itself from the same bytes. About 1,200 pixels in all, so that a
sample standard deviation (ddof=1) is off by several times the tolerance.
"""

import numpy as np
import pytest

from grader.toolkit import checks

# relative path -> (lowest, highest pixel value): each folder has a brightness of its own;
# None: a colour image whose three channels differ widely
LAYOUT = {
    "overview.png": (0, 256),
    "train/kitchen/0001.jpg": (20, 120),
    "train/kitchen/0002.PNG": (60, 200),
    "train/coast/0003.jpeg": None,
    "test/coast/0004.jpg": (140, 256),
    "test/street/night/0005.png": (0, 80),
    "test/street/0006.jpg": None,
}
NOT_AN_IMAGE = {"train/labels.txt": b"kitchen 1\ncoast 2\n"}
TOLERANCE = 1e-5
HINT = ("convert every image to grayscale (\"L\"), scale its pixels to [0, 1], and pool the "
        "pixels of all .jpg/.jpeg/.png files (any case) under the folder, in every sub-folder "
        "at any depth (not only <folder>/<split>/<class>/*.jpg: the grader's folder mixes "
        "them), before taking the population standard deviation (ddof=0)")


@pytest.fixture
def folder(write_folder, image_file):
    """The folder in the worker, and the pixels of its images as the judge decodes them, in [0, 1]."""
    files = {name: image_file(name, *(bounds or (0, 256)), colour=bounds is None)
             for name, bounds in LAYOUT.items()}
    written = write_folder({**files, **NOT_AN_IMAGE})
    pixels = np.concatenate([p.ravel() for p in written.images().values()]) / 255
    return written.path, pixels


def statistics(submission, path: str) -> tuple[float, float]:
    result = submission.stats.compute_mean_and_std(path)
    checks.check_type(result, tuple, name="compute_mean_and_std's return value",
                      hint="return a tuple (mean, std) of two floats")
    checks.check_equal(len(result), 2, name="length of compute_mean_and_std's return value")
    return tuple(scalar(value) for value in result)


def scalar(value):
    """A statistic as StandardScaler keeps it (``mean_``, ``scale_``: arrays of shape (1,)), as
    its number; anything else as it came, for check_scalar to judge."""
    if isinstance(value, np.ndarray) and value.shape == (1,):
        return value[0]
    return value


@pytest.mark.weight(3)
@pytest.mark.number("1.1")
def test_mean(submission, folder):
    """compute_mean_and_std: the mean of every grayscale pixel in [0, 1], all sub-folders"""
    path, pixels = folder
    mean, _ = statistics(submission, path)
    checks.check_scalar(mean, float(pixels.mean()), rtol=0, atol=TOLERANCE, name="mean",
                        hint=HINT)


@pytest.mark.weight(4)
@pytest.mark.number("1.2")
def test_std(submission, folder):
    """compute_mean_and_std: the population std of all those pixels pooled together"""
    path, pixels = folder
    _, std = statistics(submission, path)
    checks.check_scalar(std, float(pixels.std()), rtol=0, atol=TOLERANCE, name="std",
                        hint=HINT + "; do not average per-image values")
