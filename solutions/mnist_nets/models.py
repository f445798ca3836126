"""MNIST models: logistic regression, a fully connected net and a small CNN.

Every model takes a float batch of shape (N, 1, 28, 28) and returns logits of
shape (N, 10) (no softmax: ``nn.CrossEntropyLoss`` applies it).
"""

import torch
from torch import nn


class LogisticRegression(nn.Module):
    """Multinomial logistic regression: one ``nn.Linear(784, 10)`` named ``linear``.

    7,850 parameters (784 * 10 weights + 10 biases).
    """

    def __init__(self):
        super().__init__()
        # BEGIN SOLUTION
        # TODO: define self.linear, a single linear layer from 784 pixels to 10 classes
        self.linear = nn.Linear(28 * 28, 10)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 28, 28) images -> (N, 10) logits."""
        # BEGIN SOLUTION
        # TODO: flatten each image to 784 values and apply the linear layer
        return self.linear(x.flatten(1))
        # END SOLUTION


class SimpleFC(nn.Module):
    """Fully connected net 784-512-256-128-10 with ReLU.

    ``fc_layers`` is an ``nn.Sequential`` holding the four ``nn.Linear`` layers,
    each hidden one followed by ``nn.ReLU`` then ``nn.Dropout(dropout)``
    (dropout is active only in training mode). 567,434 parameters.
    """

    def __init__(self, dropout: float = 0.0):
        super().__init__()
        # BEGIN SOLUTION
        # TODO: build self.fc_layers: Linear(784, 512), ReLU, Dropout, ..., Linear(128, 10)
        self.fc_layers = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(512, 256), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(128, 10),
        )
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 28, 28) images -> (N, 10) logits."""
        # BEGIN SOLUTION
        # TODO: flatten each image and run it through self.fc_layers
        return self.fc_layers(x.flatten(1))
        # END SOLUTION


class SimpleCNN(nn.Module):
    """Two conv blocks and a linear classifier.

    ``conv_layers``: Conv2d(1, 32, 3, padding=1), ReLU, MaxPool2d(2),
    [BatchNorm2d(32) if ``batch_norm``], Conv2d(32, 64, 3, padding=1), ReLU,
    MaxPool2d(2); then ``fc`` = Linear(64 * 7 * 7, 10).
    50,186 parameters (50,250 with batch norm).
    """

    def __init__(self, batch_norm: bool = False):
        super().__init__()
        # BEGIN SOLUTION
        # TODO: build self.conv_layers (an nn.Sequential) and self.fc as described above
        norm = [nn.BatchNorm2d(32)] if batch_norm else []
        self.conv_layers = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            *norm,
            nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(64 * 7 * 7, 10)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 28, 28) images -> (N, 10) logits."""
        # BEGIN SOLUTION
        # TODO: apply the conv layers, flatten, then the linear layer
        return self.fc(self.conv_layers(x).flatten(1))
        # END SOLUTION
