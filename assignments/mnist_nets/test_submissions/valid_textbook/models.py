"""MNIST models, written the way the PyTorch tutorials write them: every step a module."""

import torch
from torch import nn


class LogisticRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear = nn.Linear(28 * 28, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.flatten(x))


class SimpleFC(nn.Module):
    def __init__(self, dropout: float = 0.0):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc_layers = nn.Sequential(
            nn.Linear(784, 512), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(512, 256), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(128, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.flatten(x)
        logits = self.fc_layers(x)
        return logits


class SimpleCNN(nn.Module):
    def __init__(self, batch_norm: bool = False):
        super().__init__()
        first_block = [nn.Conv2d(1, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        second_block = [nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(),
                        nn.MaxPool2d(2)]
        norm = [nn.BatchNorm2d(32)] if batch_norm else []
        self.conv_layers = nn.Sequential(*first_block, *norm, *second_block)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv_layers(x)
        x = self.flatten(x)
        return self.fc(x)
