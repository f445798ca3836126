"""MNIST models: reshaping with view, layer lists built from the layer sizes."""

import torch
from torch import nn

HIDDEN = (512, 256, 128)


class LogisticRegression(nn.Module):
    """One linear layer over the 784 pixels."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(784, 10, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.view(x.size(0), -1))


class SimpleFC(nn.Module):
    """784-512-256-128-10, each hidden layer followed by ReLU and Dropout."""

    def __init__(self, dropout: float = 0.0):
        super().__init__()
        layers = []
        widths = (784, *HIDDEN)
        for n_in, n_out in zip(widths, widths[1:]):
            layers += [nn.Linear(n_in, n_out), nn.ReLU(), nn.Dropout(p=dropout)]
        layers.append(nn.Linear(HIDDEN[-1], 10))
        self.fc_layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc_layers(x.view(-1, 784))


class SimpleCNN(nn.Module):
    """Two conv blocks (optional batch norm between them), then a linear classifier."""

    def __init__(self, batch_norm: bool = False):
        super().__init__()
        layers = [nn.Conv2d(1, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2, 2)]
        if batch_norm:
            layers.append(nn.BatchNorm2d(num_features=32))
        layers += [nn.Conv2d(32, 64, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2, 2)]
        self.conv_layers = nn.Sequential(*layers)
        self.fc = nn.Linear(3136, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.conv_layers(x)
        return self.fc(features.view(features.shape[0], -1))
