"""MNIST models whose Sequential layers carry names of their own (an OrderedDict)."""

from collections import OrderedDict

import torch
from torch import nn


class LogisticRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(784, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.flatten(1))


class SimpleFC(nn.Module):
    def __init__(self, dropout: float = 0.0):
        super().__init__()
        self.fc_layers = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(784, 512)), ("relu1", nn.ReLU()), ("drop1", nn.Dropout(dropout)),
            ("fc2", nn.Linear(512, 256)), ("relu2", nn.ReLU()), ("drop2", nn.Dropout(dropout)),
            ("fc3", nn.Linear(256, 128)), ("relu3", nn.ReLU()), ("drop3", nn.Dropout(dropout)),
            ("out", nn.Linear(128, 10)),
        ]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc_layers(x.flatten(start_dim=1))


class SimpleCNN(nn.Module):
    def __init__(self, batch_norm: bool = False):
        super().__init__()
        blocks = OrderedDict()
        blocks["conv1"] = nn.Conv2d(1, 32, 3, padding=1)
        blocks["relu1"] = nn.ReLU()
        blocks["pool1"] = nn.MaxPool2d(2)
        if batch_norm:
            blocks["bn"] = nn.BatchNorm2d(32)
        blocks["conv2"] = nn.Conv2d(32, 64, 3, padding=1)
        blocks["relu2"] = nn.ReLU()
        blocks["pool2"] = nn.MaxPool2d(2)
        self.conv_layers = nn.Sequential(blocks)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.flatten(self.conv_layers(x)))
