"""SimpleNet with ReLU before pooling, nn.Flatten at the end of the conv part, GELU between the
linear layers."""

import torch
from torch import nn


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn_layers = nn.Sequential(
            nn.Conv2d(1, 12, kernel_size=5), nn.ReLU(inplace=True), nn.MaxPool2d(3),
            nn.Conv2d(12, 24, kernel_size=5), nn.ReLU(inplace=True), nn.MaxPool2d(3),
            nn.Flatten(),
        )
        self.fc_layers = nn.Sequential(nn.Linear(24 * 5 * 5, 96), nn.GELU(), nn.Linear(96, 15))
        self.loss_criterion = nn.CrossEntropyLoss()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc_layers(self.cnn_layers(x))
