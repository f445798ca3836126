"""SimpleNetDropout with a tanh between its linear layers, applied in forward."""

import torch
from torch import nn


class SimpleNetDropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn_layers = nn.Sequential(
            nn.Conv2d(1, 10, 5), nn.MaxPool2d(3), nn.ReLU(),
            nn.Conv2d(10, 20, 5), nn.MaxPool2d(3), nn.ReLU(),
        )
        self.fc_layers = nn.Sequential(nn.Dropout(0.5), nn.Linear(500, 64), nn.Linear(64, 15))
        self.loss_criterion = nn.CrossEntropyLoss()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.cnn_layers(x).view(x.shape[0], -1)
        x = torch.tanh(self.fc_layers[1](self.fc_layers[0](x)))
        return self.fc_layers[2](x)
