"""SimpleNet: a small CNN for 64 x 64 grayscale scenes in 15 classes."""

import torch
from torch import nn


class SimpleNet(nn.Module):
    """Two conv blocks and two linear layers.

    The design is yours within the course's rules: ``cnn_layers`` and
    ``fc_layers``, both ``nn.Sequential``, hold between them at least two
    ``nn.Conv2d``, two ``nn.Linear`` and two ``nn.ReLU`` modules (more
    layers, other activations, batch norm and ReLUs after the convolutions
    only are all fine); the output has 15 logits per image; ``loss_criterion``
    is an ``nn.CrossEntropyLoss`` (``reduction`` "mean" or "sum"). The grader
    trains it with a fixed budget and checks its held-out accuracy.

    One design that meets them (56,895 parameters): ``cnn_layers``:
    Conv2d(1, 10, 5), MaxPool2d(3), ReLU, Conv2d(10, 20, 5), MaxPool2d(3),
    ReLU, which turns a (N, 1, 64, 64) batch into (N, 20, 5, 5);
    ``fc_layers``: Linear(500, 100), ReLU, Linear(100, 15);
    ``loss_criterion``: ``nn.CrossEntropyLoss(reduction="mean")``.
    """

    def __init__(self):
        super().__init__()
        # TODO: define self.cnn_layers, self.fc_layers and self.loss_criterion as described above
        raise NotImplementedError("TODO: define self.cnn_layers, self.fc_layers and self.loss_criterion as described above")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 64, 64) normalized images -> (N, 15) logits (no softmax)."""
        # TODO: apply the conv layers, flatten each sample, then the fully connected layers
        raise NotImplementedError("TODO: apply the conv layers, flatten each sample, then the fully connected layers")
