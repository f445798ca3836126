"""SimpleNet whose forward applies a functional ReLU between its two linear layers."""

import torch
import torch.nn.functional as F
from torch import nn


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn_layers = nn.Sequential(
            nn.Conv2d(1, 10, 5), nn.ReLU(), nn.MaxPool2d(3),
            nn.Conv2d(10, 20, 5), nn.ReLU(), nn.MaxPool2d(3),
        )
        self.fc_layers = nn.Sequential(nn.Linear(500, 100), nn.Linear(100, 15))
        self.loss_criterion = nn.CrossEntropyLoss()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = F.relu(self.fc_layers[0](torch.flatten(self.cnn_layers(x), 1)))
        return self.fc_layers[1](hidden)
