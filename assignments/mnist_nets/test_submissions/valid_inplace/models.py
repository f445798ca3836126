"""MNIST models with in-place ReLUs and the flatten as the first step of a Sequential."""

import torch
from torch import nn


class LogisticRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(in_features=784, out_features=10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(torch.flatten(x, start_dim=1))


def hidden_layer(n_in: int, n_out: int, dropout: float) -> list:
    return [nn.Linear(n_in, n_out), nn.ReLU(inplace=True), nn.Dropout(dropout)]


class SimpleFC(nn.Module):
    def __init__(self, dropout: float = 0.0):
        super().__init__()
        self.fc_layers = nn.Sequential(
            nn.Flatten(),
            *hidden_layer(784, 512, dropout),
            *hidden_layer(512, 256, dropout),
            *hidden_layer(256, 128, dropout),
            nn.Linear(128, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc_layers(x)


class SimpleCNN(nn.Module):
    def __init__(self, batch_norm: bool = False):
        super().__init__()
        self.conv_layers = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=(3, 3), stride=1, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        if batch_norm:
            self.conv_layers.append(nn.BatchNorm2d(32))
        self.conv_layers.extend([
            nn.Conv2d(32, 64, kernel_size=(3, 3), stride=1, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
        ])
        self.fc = nn.Linear(64 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.conv_layers(x), 1))
