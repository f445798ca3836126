"""SimpleNet with layers of my own: a Flatten module and a Swish activation."""

import torch
from torch import nn


class Flatten(nn.Module):
    """Flatten every dimension but the batch one."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(x.size(0), -1)


class Swish(nn.Module):
    """x * sigmoid(x)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(x)


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn_layers = nn.Sequential(
            nn.Conv2d(1, 10, 5), nn.MaxPool2d(3), nn.ReLU(),
            nn.Conv2d(10, 20, 5), nn.MaxPool2d(3), nn.ReLU(),
            Flatten(),
        )
        self.fc_layers = nn.Sequential(nn.Linear(500, 120), Swish(), nn.Linear(120, 15))
        self.loss_criterion = nn.CrossEntropyLoss(reduction="mean")

    def forward(self, x):
        return self.fc_layers(self.cnn_layers(x))
