import numpy as np


def generate_confusion_matrix(predictions, targets, num_classes, normalize=True):
    """Rows are the true classes, columns the predictions, each row divided by its total.

    As in the course, a class that never occurs gives a row of NaNs (0 / 0).
    """
    confusion_matrix = np.zeros((num_classes, num_classes))
    for target, prediction in zip(targets, predictions):
        confusion_matrix[target, prediction] += 1
    if normalize:
        with np.errstate(divide="ignore", invalid="ignore"):
            confusion_matrix = confusion_matrix / confusion_matrix.sum(axis=1, keepdims=True)
    return confusion_matrix
