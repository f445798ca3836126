import numpy as np


def generate_confusion_matrix(predictions: np.ndarray, targets: np.ndarray, num_classes: int,
                              normalize: bool = True) -> np.ndarray:
    pairs = np.asarray(targets, dtype=np.int64) * num_classes + np.asarray(predictions)
    counts = np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)
    counts = counts.astype(np.float64)
    if not normalize:
        return counts
    totals = counts.sum(axis=1, keepdims=True)
    return counts / np.where(totals == 0, 1, totals)
