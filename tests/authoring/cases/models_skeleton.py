"""Models for MNIST: logistic regression and a small CNN."""


import torch
from torch import nn

HIDDEN = None  # TODO: choose the hidden width


class SimpleCNN(nn.Module):
    """Two conv blocks and a linear classifier."""

    def __init__(self, batch_norm: bool = False):
        super().__init__()
        # TODO: build self.features (two conv blocks, batch norm if asked)
        #   and self.classifier (one linear layer to 10 classes).
        raise NotImplementedError("TODO: build self.features (two conv blocks, batch norm if asked) and self.classifier (one linear layer to 10 classes).")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape (N, 10)."""
        raise NotImplementedError("TODO: complete SimpleCNN.forward")

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows whose arg-max is the label."""
    raise NotImplementedError("TODO: complete accuracy")


def init_scale(fan_in: int) -> float:
    scale = None  # TODO: He or Xavier?
    return scale
