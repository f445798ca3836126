import numpy as np


def generate_confusion_matrix(predictions, targets, num_classes, normalize=True):
    matrix = np.zeros((num_classes, num_classes))
    for i in range(len(targets)):
        matrix[int(targets[i])][int(predictions[i])] += 1
    if normalize:
        for i in range(num_classes):
            row_sum = np.sum(matrix[i])
            if row_sum != 0:
                for j in range(num_classes):
                    matrix[i][j] = matrix[i][j] / row_sum
    return matrix
