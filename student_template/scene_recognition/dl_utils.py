"""Predictions, loss and accuracy from a model's raw outputs (logits)."""

import torch
from torch import nn


def predict_labels(model_output: torch.Tensor) -> torch.Tensor:
    """(N, C) logits -> (N,) int64 tensor of predicted classes: the arg-max over dimension 1."""
    # TODO: the index of the largest logit of each row
    raise NotImplementedError("TODO: the index of the largest logit of each row")


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
    # TODO: apply model.loss_criterion; divide by the batch size if asked and it sums
    raise NotImplementedError("TODO: apply model.loss_criterion; divide by the batch size if asked and it sums")


def compute_accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The fraction of rows of (N, C) ``logits`` whose arg-max is the (N,) label, a float in [0, 1]."""
    # TODO: compare predict_labels(logits) with labels and average
    raise NotImplementedError("TODO: compare predict_labels(logits) with labels and average")
