"""Predictions, loss and accuracy from a model's raw outputs (logits)."""

import torch
from torch import nn


def predict_labels(model_output: torch.Tensor) -> torch.Tensor:
    """(N, C) logits -> (N,) int64 tensor of predicted classes: the arg-max over dimension 1."""
    # BEGIN SOLUTION
    # TODO: the index of the largest logit of each row
    return torch.argmax(model_output, dim=1)
    # END SOLUTION


def compute_loss(model: nn.Module, model_output: torch.Tensor, target_labels: torch.Tensor,
                 is_normalize: bool = True) -> torch.Tensor:
    """The loss of ``model.loss_criterion`` on (N, C) logits and (N,) int64 labels, a 0-d tensor.

    ``model.loss_criterion`` is an ``nn.CrossEntropyLoss``. When
    ``is_normalize`` is True and the criterion sums over the batch
    (``reduction="sum"``), the sum is divided by N, so the result is the mean
    loss per sample; a criterion that already averages is left as it is. With
    ``is_normalize`` False the criterion's value is returned unchanged. The
    result keeps its graph, so ``backward()`` works on it.
    """
    # BEGIN SOLUTION
    # TODO: apply model.loss_criterion; divide by the batch size if asked and it sums
    loss = model.loss_criterion(model_output, target_labels)
    if is_normalize and model.loss_criterion.reduction == "sum":
        loss = loss / model_output.shape[0]
    return loss
    # END SOLUTION


def compute_accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The fraction of rows of (N, C) ``logits`` whose arg-max is the (N,) label, a float in [0, 1]."""
    # BEGIN SOLUTION
    # TODO: compare predict_labels(logits) with labels and average
    return (predict_labels(logits) == labels).float().mean().item()
    # END SOLUTION
