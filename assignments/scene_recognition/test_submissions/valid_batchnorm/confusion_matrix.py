import numpy as np
from sklearn.metrics import confusion_matrix


def generate_confusion_matrix(predictions, targets, num_classes, normalize=True):
    """sklearn's confusion matrix (rows: true labels); normalize="true" divides each row."""
    matrix = confusion_matrix(targets, predictions, labels=np.arange(num_classes),
                              normalize="true" if normalize else None)
    return matrix.astype(np.float64)
