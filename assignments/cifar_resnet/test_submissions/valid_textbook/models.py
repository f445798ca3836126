"""CIFAR-10 models in the style of the well-known pytorch-cifar repositories."""

import torch
import torch.nn.functional as F
from torch import nn


class Swish(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(x)


def make_activation(name: str) -> nn.Module:
    if name == "relu":
        return nn.ReLU()
    elif name == "swish":
        return Swish()
    else:
        raise ValueError(f"unknown activation: {name}")


class SimpleNN(nn.Module):
    def __init__(self, batch_norm: bool = False, activation: str = "relu"):
        super().__init__()
        layers = [nn.Conv2d(3, 8, kernel_size=5)]
        if batch_norm:
            layers.append(nn.BatchNorm2d(8))
        layers += [make_activation(activation), nn.MaxPool2d(2, 2), nn.Conv2d(8, 16, 3)]
        if batch_norm:
            layers.append(nn.BatchNorm2d(16))
        layers += [make_activation(activation), nn.MaxPool2d(2, 2)]
        self.features = nn.Sequential(*layers)
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Linear(16 * 6 * 6, 120), make_activation(activation),
            nn.Linear(120, 84), make_activation(activation),
            nn.Linear(84, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.flatten(x)
        x = self.classifier(x)
        return x


class ZeroPadShortcut(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.stride = stride
        self.pad = (out_channels - in_channels) // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pad(x[:, :, ::self.stride, ::self.stride],
                     (0, 0, 0, 0, self.pad, self.pad), "constant", 0)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 shortcut: str = "A"):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride,
                               padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            if shortcut == "A":
                self.shortcut = ZeroPadShortcut(in_channels, out_channels, stride)
            else:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride,
                              bias=False),
                    nn.BatchNorm2d(out_channels),
                )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = out + self.shortcut(x)
        out = self.relu(out)
        return out


def make_stage(in_channels: int, out_channels: int, stride: int, shortcut: str,
               blocks: int = 3) -> nn.Sequential:
    strides = [stride] + [1] * (blocks - 1)
    layers = []
    for s in strides:
        layers.append(BasicBlock(in_channels, out_channels, s, shortcut))
        in_channels = out_channels
    return nn.Sequential(*layers)


class ResNet20(nn.Module):
    def __init__(self, shortcut: str = "A"):
        super().__init__()
        if shortcut not in ("A", "B"):
            raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")
        self.stem = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
        )
        self.layer1 = make_stage(16, 16, 1, shortcut)
        self.layer2 = make_stage(16, 32, 2, shortcut)
        self.layer3 = make_stage(32, 64, 2, shortcut)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.stem(x)
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = self.pool(out)
        out = torch.flatten(out, 1)
        return self.fc(out)
