"""CIFAR-10 models: a LeNet-style SimpleNN, the Swish activation and ResNet-20.

Every model takes a float batch of shape (N, 3, 32, 32) and returns logits of
shape (N, 10) (no softmax: ``nn.CrossEntropyLoss`` applies it).

Counts are for one 3 x 32 x 32 image, MACs as thop counts conv and linear
layers (Cout * Cin * k * k * Hout * Wout for a conv, in * out for a linear
layer; biases, batch norm, activations and pooling free).
"""

import torch
import torch.nn.functional as F
from torch import nn


class Swish(nn.Module):
    """Swish (SiLU) activation, ``x * sigmoid(x)``, elementwise; no parameters."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Same shape as ``x``."""
        # BEGIN SOLUTION
        # TODO: return x times the sigmoid of x (write the formula, do not call F.silu)
        return x * torch.sigmoid(x)
        # END SOLUTION


def make_activation(name: str) -> nn.Module:
    """A new activation module: ``nn.ReLU()`` for ``"relu"``, ``Swish()`` for ``"swish"``.

    Any other name raises ``ValueError``.
    """
    # BEGIN SOLUTION
    # TODO: return nn.ReLU() or Swish(); raise ValueError for an unknown name
    if name == "relu":
        return nn.ReLU()
    if name == "swish":
        return Swish()
    raise ValueError(f"activation must be 'relu' or 'swish', got {name!r}")
    # END SOLUTION


class SimpleNN(nn.Module):
    """LeNet-style CNN: two conv blocks, then three linear layers.

    ``features`` is an ``nn.Sequential``: Conv2d(3, 8, 5), [BatchNorm2d(8)],
    act, MaxPool2d(2), Conv2d(8, 16, 3), [BatchNorm2d(16)], act, MaxPool2d(2),
    taking 3 x 32 x 32 to 16 x 6 x 6 (convolutions without padding). The batch
    norms are there only with ``batch_norm=True``, between each conv and its
    activation. ``classifier`` is an ``nn.Sequential``: Linear(576, 120), act,
    Linear(120, 84), act, Linear(84, 10), applied to the flattened features.
    Each ``act`` is ``make_activation(activation)``.

    82,030 parameters (82,078 with batch norm); 716,328 MACs.
    """

    def __init__(self, batch_norm: bool = False, activation: str = "relu"):
        super().__init__()
        # BEGIN SOLUTION
        # TODO: build self.features and self.classifier (nn.Sequential) as described above
        def conv_block(in_channels, out_channels, kernel_size):
            norm = [nn.BatchNorm2d(out_channels)] if batch_norm else []
            return [nn.Conv2d(in_channels, out_channels, kernel_size), *norm,
                    make_activation(activation), nn.MaxPool2d(2)]

        self.features = nn.Sequential(*conv_block(3, 8, 5), *conv_block(8, 16, 3))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 6 * 6, 120), make_activation(activation),
            nn.Linear(120, 84), make_activation(activation),
            nn.Linear(84, 10),
        )
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, 32, 32) images -> (N, 10) logits."""
        # BEGIN SOLUTION
        # TODO: apply the features, flatten each sample, then the classifier
        return self.classifier(self.features(x).flatten(1))
        # END SOLUTION


class ZeroPadShortcut(nn.Module):
    """Option A shortcut of a block that changes shape: parameter-free identity.

    Keeps every ``stride``-th pixel of ``x`` (``x[:, :, ::stride, ::stride]``)
    and pads the channel dimension with zeros from ``in_channels`` to
    ``out_channels``, half of the new channels before the input's and half
    after (16 -> 32 channels: 8 zero channels, the 16 input channels, 8 zero
    channels).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.stride = stride
        self.pad = (out_channels - in_channels) // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, H, W) -> (N, out_channels, H / stride, W / stride)."""
        # BEGIN SOLUTION
        # TODO: keep every stride-th pixel, then F.pad the channels with self.pad zeros each side
        x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, self.pad, self.pad))
        # END SOLUTION


class BasicBlock(nn.Module):
    """Residual block: ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``.

    ``conv1``: 3 x 3 from ``in_channels`` to ``out_channels`` with ``stride``
    (the block's downsampling); ``conv2``: 3 x 3, ``out_channels`` to
    ``out_channels``, stride 1; both with padding 1 and no bias, each followed
    by its ``BatchNorm2d`` (``bn1``, ``bn2``); ``relu`` is an ``nn.ReLU``.
    ``shortcut`` is ``nn.Identity()`` when the block keeps the shape (stride 1,
    same channels); otherwise ``ZeroPadShortcut`` for ``shortcut="A"`` and, for
    ``shortcut="B"``, an ``nn.Sequential`` of a 1 x 1 conv with ``stride`` and
    no bias and a ``BatchNorm2d``. Define the modules in this order: the
    grader matches your weights to its own model in that order.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 shortcut: str = "A"):
        super().__init__()
        # BEGIN SOLUTION
        # TODO: define conv1, bn1, conv2, bn2, relu (nn.ReLU) and the shortcut described above
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        if stride == 1 and in_channels == out_channels:
            self.shortcut = nn.Identity()
        elif shortcut == "A":
            self.shortcut = ZeroPadShortcut(in_channels, out_channels, stride)
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, H, W) -> (N, out_channels, H / stride, W / stride)."""
        # BEGIN SOLUTION
        # TODO: conv1, bn1, relu, conv2, bn2; add the shortcut of x; relu
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))
        # END SOLUTION


def make_stage(in_channels: int, out_channels: int, stride: int, shortcut: str,
               blocks: int = 3) -> nn.Sequential:
    """``blocks`` BasicBlocks in an ``nn.Sequential``; only the first changes shape.

    The first block goes from ``in_channels`` to ``out_channels`` with
    ``stride``; the others keep ``out_channels`` with stride 1.
    """
    # BEGIN SOLUTION
    # TODO: one BasicBlock changing channels and stride, then blocks - 1 that keep the shape
    layers = [BasicBlock(in_channels, out_channels, stride, shortcut)]
    layers += [BasicBlock(out_channels, out_channels, 1, shortcut) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)
    # END SOLUTION


class ResNet20(nn.Module):
    """ResNet-20 for CIFAR-10 (He et al. 2016, section 4.2).

    ``stem``: ``nn.Sequential(Conv2d(3, 16, 3, padding=1, bias=False),
    BatchNorm2d(16), ReLU())``; then three stages made by ``make_stage``:
    ``layer1`` 16 -> 16 channels, stride 1 (32 x 32), ``layer2`` 16 -> 32,
    stride 2 (16 x 16), ``layer3`` 32 -> 64, stride 2 (8 x 8); ``pool``:
    ``nn.AdaptiveAvgPool2d(1)``; ``fc``: Linear(64, 10) on the flattened
    pooled features. ``shortcut`` ("A" or "B", anything else is a
    ``ValueError``) picks the shortcut of the two blocks that change shape.

    Option A: 269,722 parameters, 40,551,040 MACs; option B: 272,474
    parameters, 40,813,184 MACs. Keep these attribute names (and BasicBlock's):
    a submitted ``resnet20.safetensors`` is loaded into the grader's ResNet-20
    by its ``state_dict`` keys (``layer2.0.conv1.weight``, ...).
    """

    def __init__(self, shortcut: str = "A"):
        super().__init__()
        if shortcut not in ("A", "B"):
            raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")
        # BEGIN SOLUTION
        # TODO: build self.stem, self.layer1, self.layer2, self.layer3, self.pool and self.fc
        self.stem = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        )
        self.layer1 = make_stage(16, 16, 1, shortcut)
        self.layer2 = make_stage(16, 32, 2, shortcut)
        self.layer3 = make_stage(32, 64, 2, shortcut)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, 32, 32) images -> (N, 10) logits."""
        # BEGIN SOLUTION
        # TODO: stem, the three stages, pool, flatten, fc
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(self.pool(x).flatten(1))
        # END SOLUTION
