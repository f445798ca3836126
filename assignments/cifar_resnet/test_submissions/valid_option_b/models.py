"""CIFAR-10 models; ResNet-20 initialised as He et al. do (Kaiming normal)."""

import torch
import torch.nn.functional as F
from torch import nn


class Swish(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.mul(x, torch.sigmoid(x))


def make_activation(name: str) -> nn.Module:
    match name:
        case "relu":
            return nn.ReLU()
        case "swish":
            return Swish()
        case _:
            raise ValueError(f"make_activation: unknown activation {name!r}")


def conv_block(in_channels: int, out_channels: int, kernel_size: int, batch_norm: bool,
               activation: str) -> list[nn.Module]:
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    return layers + [make_activation(activation), nn.MaxPool2d(kernel_size=2)]


class SimpleNN(nn.Module):
    def __init__(self, batch_norm: bool = False, activation: str = "relu"):
        super().__init__()
        self.features = nn.Sequential(*conv_block(3, 8, 5, batch_norm, activation),
                                      *conv_block(8, 16, 3, batch_norm, activation))
        self.classifier = nn.Sequential(nn.Linear(576, 120), make_activation(activation),
                                        nn.Linear(120, 84), make_activation(activation),
                                        nn.Linear(84, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), start_dim=1))


class ZeroPadShortcut(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.stride = stride
        self.pad = (out_channels - in_channels) // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sub = x[..., ::self.stride, ::self.stride]
        return F.pad(sub, [0, 0, 0, 0, self.pad, self.pad])


class BasicBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 shortcut: str = "A"):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        keeps_shape = stride == 1 and in_channels == out_channels
        if keeps_shape:
            self.shortcut = nn.Identity()
        elif shortcut == "A":
            self.shortcut = ZeroPadShortcut(in_channels, out_channels, stride)
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + self.shortcut(x))


def make_stage(in_channels: int, out_channels: int, stride: int, shortcut: str,
               blocks: int = 3) -> nn.Sequential:
    return nn.Sequential(*[
        BasicBlock(in_channels if i == 0 else out_channels, out_channels,
                   stride if i == 0 else 1, shortcut)
        for i in range(blocks)
    ])


class ResNet20(nn.Module):
    def __init__(self, shortcut: str = "A"):
        super().__init__()
        if shortcut not in ("A", "B"):
            raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU(inplace=True))
        self.layer1 = make_stage(16, 16, 1, shortcut)
        self.layer2 = make_stage(16, 32, 2, shortcut)
        self.layer3 = make_stage(32, 64, 2, shortcut)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)
        self._init_weights()

    def _init_weights(self) -> None:
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for stage in (self.layer1, self.layer2, self.layer3):
            x = stage(x)
        return self.fc(self.pool(x).flatten(1))
