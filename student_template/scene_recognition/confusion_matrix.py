"""Confusion matrix of a classifier's predictions."""

import numpy as np


def generate_confusion_matrix(predictions: np.ndarray, targets: np.ndarray, num_classes: int,
                              normalize: bool = True) -> np.ndarray:
    """A (num_classes, num_classes) float64 array counting (true class, predicted class) pairs.

    ``predictions`` and ``targets`` are 1-D integer arrays of the same length
    with values in [0, num_classes). Entry ``[i, j]`` is the number of samples
    of true class ``i`` predicted as ``j`` (rows: truth, columns: prediction).
    With ``normalize`` each row is divided by its sum, so a row holds the
    fractions of class ``i`` predicted as each class; a class that never
    occurs in ``targets`` keeps a row of zeros (a row of NaNs, as a plain
    division by the row's sum gives, is accepted too).
    """
    # TODO: count each (target, prediction) pair, then divide each non-empty row by its sum
    raise NotImplementedError("TODO: count each (target, prediction) pair, then divide each non-empty row by its sum")
