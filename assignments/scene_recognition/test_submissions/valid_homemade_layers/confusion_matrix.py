import numpy as np


def generate_confusion_matrix(predictions, targets, num_classes, normalize=True):
    matrix = np.zeros((num_classes, num_classes), dtype=np.float64)
    np.add.at(matrix, (targets, predictions), 1.0)
    if normalize:
        for row in range(num_classes):
            total = matrix[row].sum()
            if total > 0:
                matrix[row] /= total
    return matrix
