"""Models for MNIST: logistic regression and a small CNN."""

import math  # SOLUTION ONLY

import torch
from torch import nn

HIDDEN = 128  # SOLUTION: HIDDEN = None  # TODO: choose the hidden width


class SimpleCNN(nn.Module):
    """Two conv blocks and a linear classifier."""

    def __init__(self, batch_norm: bool = False):
        super().__init__()
        # BEGIN SOLUTION
        # TODO: build self.features (two conv blocks, batch norm if asked)
        #   and self.classifier (one linear layer to 10 classes).
        norm = nn.BatchNorm2d if batch_norm else nn.Identity
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), norm(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), norm(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(32 * 7 * 7, 10)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape (N, 10)."""
        # BEGIN SOLUTION
        return self.classifier(self.features(x).flatten(1))
        # END SOLUTION

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows whose arg-max is the label."""
    # BEGIN SOLUTION
    return (logits.argmax(1) == labels).float().mean().item()
    # END SOLUTION


def init_scale(fan_in: int) -> float:
    scale = 1 / math.sqrt(fan_in)  # SOLUTION: scale = None  # TODO: He or Xavier?
    return scale
