"""CIFAR-10 models: one activation module per network, reused wherever the net applies it."""

import torch
from torch import nn


class Swish(nn.Module):
    """Swish: x * sigmoid(x). No parameters."""

    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.special.expit(x)


def make_activation(name: str) -> nn.Module:
    name = name.lower()
    if name == "relu":
        return nn.ReLU()
    if name == "swish":
        return Swish()
    raise ValueError("activation must be relu or swish")


class SimpleNN(nn.Module):
    def __init__(self, batch_norm: bool = False, activation: str = "relu"):
        super().__init__()
        self.act = make_activation(activation)  # stateless: the same module serves every layer
        features = [nn.Conv2d(3, 8, 5)]
        features += [nn.BatchNorm2d(8)] if batch_norm else []
        features += [self.act, nn.MaxPool2d(2), nn.Conv2d(8, 16, 3)]
        features += [nn.BatchNorm2d(16)] if batch_norm else []
        features += [self.act, nn.MaxPool2d(2)]
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Linear(576, 120), self.act, nn.Linear(120, 84),
                                        self.act, nn.Linear(84, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        return self.classifier(x.reshape(x.shape[0], -1))


class ZeroPadShortcut(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.stride = stride
        self.pad = (out_channels - in_channels) // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, ::self.stride, ::self.stride]
        n, c, h, w = x.shape
        out = x.new_zeros(n, c + 2 * self.pad, h, w)
        out[:, self.pad:self.pad + c] = x
        return out


class BasicBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 shortcut: str = "A"):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride,
                               padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.shortcut = self._make_shortcut(in_channels, out_channels, stride, shortcut)

    @staticmethod
    def _make_shortcut(in_channels, out_channels, stride, option):
        if stride == 1 and in_channels == out_channels:
            return nn.Identity()
        if option == "A":
            return ZeroPadShortcut(in_channels, out_channels, stride)
        return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                             nn.BatchNorm2d(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(residual + self.shortcut(x))


def make_stage(in_channels: int, out_channels: int, stride: int, shortcut: str,
               blocks: int = 3) -> nn.Sequential:
    layers = [BasicBlock(in_channels, out_channels, stride, shortcut)]
    layers += [BasicBlock(out_channels, out_channels, 1, shortcut) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)


class ResNet20(nn.Module):
    def __init__(self, shortcut: str = "A"):
        super().__init__()
        if shortcut not in ("A", "B"):
            raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU())
        channels = [16, 16, 32, 64]
        for i in range(3):
            stage = make_stage(channels[i], channels[i + 1], 1 if i == 0 else 2, shortcut)
            setattr(self, f"layer{i + 1}", stage)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.pool(x)
        x = x.reshape(x.size(0), -1)
        return self.fc(x)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
