"""SimpleNetDropout: SimpleNet with dropout before its fully connected layers."""

import torch
from torch import nn


class SimpleNetDropout(nn.Module):
    """SimpleNet with dropout (here ``nn.Dropout(0.5)`` in front of ``fc_layers``).

    The rules are SimpleNet's, plus at least one ``nn.Dropout`` inside
    ``cnn_layers`` or ``fc_layers``; where it sits, its ``p`` and any other
    dropout (``nn.Dropout2d``) are yours to choose. One design that meets them:
    ``cnn_layers`` (an ``nn.Sequential``): Conv2d(1, 10, 5), MaxPool2d(3),
    ReLU, Conv2d(10, 20, 5), MaxPool2d(3), ReLU: (N, 1, 64, 64) ->
    (N, 20, 5, 5). ``fc_layers`` (an ``nn.Sequential``): Dropout(0.5),
    Linear(500, 100), ReLU, Linear(100, 15). ``loss_criterion``:
    ``nn.CrossEntropyLoss(reduction="mean")``. Dropout is active in training
    mode only, so in evaluation mode the output is deterministic.
    """

    def __init__(self):
        super().__init__()
        # BEGIN SOLUTION
        # TODO: define self.cnn_layers, self.fc_layers (with nn.Dropout) and self.loss_criterion
        self.cnn_layers = nn.Sequential(
            nn.Conv2d(1, 10, kernel_size=5), nn.MaxPool2d(3), nn.ReLU(),
            nn.Conv2d(10, 20, kernel_size=5), nn.MaxPool2d(3), nn.ReLU(),
        )
        self.fc_layers = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(20 * 5 * 5, 100), nn.ReLU(), nn.Linear(100, 15),
        )
        self.loss_criterion = nn.CrossEntropyLoss(reduction="mean")
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 64, 64) normalized images -> (N, 15) logits (no softmax)."""
        # BEGIN SOLUTION
        # TODO: apply the conv layers, flatten each sample, then the fully connected layers
        return self.fc_layers(self.cnn_layers(x).flatten(1))
        # END SOLUTION
