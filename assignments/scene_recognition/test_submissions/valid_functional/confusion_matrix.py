import numpy as np
import torch


def generate_confusion_matrix(predictions, targets, num_classes, normalize=True):
    counts = torch.zeros(num_classes, num_classes, dtype=torch.float64)
    index = (torch.as_tensor(targets, dtype=torch.long), torch.as_tensor(predictions,
                                                                          dtype=torch.long))
    counts.index_put_(index, torch.ones(len(targets), dtype=torch.float64), accumulate=True)
    if normalize:
        counts = counts / counts.sum(dim=1, keepdim=True).clamp(min=1)
    return counts.numpy().astype(np.float64)
