"""SimpleNetDropout: channel dropout after the convolutions, dropout between the linear layers."""

import torch
from torch import nn


class SimpleNetDropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn_layers = nn.Sequential(
            nn.Conv2d(1, 12, kernel_size=5), nn.ReLU(inplace=True), nn.MaxPool2d(3),
            nn.Conv2d(12, 24, kernel_size=5), nn.ReLU(inplace=True), nn.MaxPool2d(3),
            nn.Dropout2d(p=0.1),
        )
        self.fc_layers = nn.Sequential(nn.Linear(600, 96), nn.GELU(approximate="tanh"),
                                       nn.Dropout(p=0.3), nn.Linear(96, 15))
        self.loss_criterion = nn.CrossEntropyLoss(reduction="mean")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc_layers(torch.flatten(self.cnn_layers(x), start_dim=1))
