"""CIFAR-10 models: nn.Identity where a layer is switched off, torch.cat for the zero pad."""

import torch
from torch import nn


class Swish(nn.Module):
    """x * sigmoid(x)."""

    def forward(self, x):
        return x.sigmoid() * x


def make_activation(name):
    activations = {"relu": nn.ReLU, "swish": Swish}
    if name not in activations:
        raise ValueError(f"activation must be 'relu' or 'swish', not {name!r}")
    return activations[name]()


class SimpleNN(nn.Module):
    def __init__(self, batch_norm=False, activation="relu"):
        super().__init__()

        def norm(channels):
            return nn.BatchNorm2d(channels) if batch_norm else nn.Identity()

        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 5), norm(8), make_activation(activation), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), norm(16), make_activation(activation), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(576, 120), make_activation(activation),
            nn.Linear(120, 84), make_activation(activation),
            nn.Linear(84, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class ZeroPadShortcut(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.stride = stride
        self.pad = (out_channels - in_channels) // 2

    def forward(self, x):
        x = x[:, :, ::self.stride, ::self.stride]
        zeros = torch.zeros(x.size(0), self.pad, x.size(2), x.size(3), dtype=x.dtype,
                            device=x.device)
        return torch.cat([zeros, x, zeros], dim=1)


class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1, shortcut="A"):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        if stride == 1 and in_channels == out_channels:
            self.shortcut = nn.Identity()
        elif shortcut == "A":
            self.shortcut = ZeroPadShortcut(in_channels, out_channels, stride)
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x):
        identity = self.shortcut(x)
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        out += identity
        return self.relu(out)


def make_stage(in_channels, out_channels, stride, shortcut, blocks=3):
    stage = nn.Sequential(BasicBlock(in_channels, out_channels, stride, shortcut))
    for _ in range(blocks - 1):
        stage.append(BasicBlock(out_channels, out_channels, 1, shortcut))
    return stage


class ResNet20(nn.Module):
    def __init__(self, shortcut="A"):
        super().__init__()
        if shortcut not in ("A", "B"):
            raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU())
        self.layer1 = make_stage(16, 16, stride=1, shortcut=shortcut)
        self.layer2 = make_stage(16, 32, stride=2, shortcut=shortcut)
        self.layer3 = make_stage(32, 64, stride=2, shortcut=shortcut)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(self.pool(x).view(x.size(0), -1))
