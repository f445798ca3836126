"""The judge's own SimpleNN and ResNet-20, and loading a student's weights into them.

The judge grades numbers it computes itself: it copies the tensors of a
student's model or checkpoint into these architectures and runs them. Their
state_dict keys are the ones the assignment's docstrings name (``stem.0.weight``,
``layer2.0.conv1.weight``, ``layer2.0.shortcut.0.weight``, ...), but tensors
are matched by shape in order, so a student's own attribute names do not
matter, only the architecture.

``residual=False`` and ``activation="none"`` build the negative controls that
accuracy thresholds are checked against.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SIMPLE_NN_PARAMETERS = {False: 82_030, True: 82_078}  # by batch_norm
RESNET20_PARAMETERS = {"A": 269_722, "B": 272_474}    # by shortcut option
RESNET20_MACS = {"A": 40_551_040, "B": 40_813_184}

# Buffers that say nothing about the architecture: batch norm's step counter,
# and the counters thop.profile leaves in every module it profiled in place.
_IGNORED_SUFFIXES = ("num_batches_tracked", "total_ops", "total_params")
_STATISTICS_SUFFIXES = ("running_mean", "running_var")


class ArchitectureMismatch(AssertionError):
    """The student's tensors do not fit the canonical architecture."""


def _activation(name: str) -> nn.Module:
    modules = {"relu": nn.ReLU, "swish": nn.SiLU, "none": nn.Identity}  # SiLU is x * sigmoid(x)
    if name not in modules:
        raise ValueError(f"activation must be one of {sorted(modules)}, got {name!r}")
    return modules[name]()


def simple_nn(batch_norm: bool = False, activation: str = "relu") -> nn.Module:
    """SimpleNN as specified: ``features`` and ``classifier`` (both ``nn.Sequential``)."""
    def conv_block(in_channels, out_channels, kernel_size):
        norm = [nn.BatchNorm2d(out_channels)] if batch_norm else []
        return [nn.Conv2d(in_channels, out_channels, kernel_size), *norm,
                _activation(activation), nn.MaxPool2d(2)]

    model = nn.Sequential()
    model.features = nn.Sequential(*conv_block(3, 8, 5), *conv_block(8, 16, 3))
    model.flatten = nn.Flatten()
    model.classifier = nn.Sequential(
        nn.Linear(576, 120), _activation(activation),
        nn.Linear(120, 84), _activation(activation),
        nn.Linear(84, 10),
    )
    return model


class _ZeroPad(nn.Module):
    """Option A shortcut: subsample by ``stride``, zero channels split before and after."""

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.stride = stride
        self.pad = (out_channels - in_channels) // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, self.pad, self.pad))


class _Block(nn.Module):
    """``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``; no shortcut if not ``residual``."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, shortcut: str,
                 residual: bool):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.residual = residual
        if stride == 1 and in_channels == out_channels:
            self.shortcut = nn.Identity()
        elif shortcut == "A":
            self.shortcut = _ZeroPad(in_channels, out_channels, stride)
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.residual:
            out = out + self.shortcut(x)
        return F.relu(out)


def resnet20(shortcut: str = "A", residual: bool = True) -> nn.Module:
    """ResNet-20 as specified: ``stem``, ``layer1``-``layer3`` of three blocks, ``pool``, ``fc``.

    ``residual=False`` drops every shortcut (a plain 20-layer network; option
    B keeps its projection weights, unused, so that the same checkpoints load).
    """
    if shortcut not in RESNET20_PARAMETERS:
        raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")

    def stage(in_channels, out_channels, stride):
        return nn.Sequential(
            _Block(in_channels, out_channels, stride, shortcut, residual),
            *(_Block(out_channels, out_channels, 1, shortcut, residual) for _ in range(2)))

    model = nn.Sequential()
    model.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False),
                               nn.BatchNorm2d(16), nn.ReLU())
    model.layer1 = stage(16, 16, 1)
    model.layer2 = stage(16, 32, 2)
    model.layer3 = stage(32, 64, 2)
    model.pool = nn.AdaptiveAvgPool2d(1)
    model.flatten = nn.Flatten()
    model.fc = nn.Linear(64, 10)
    return model


def _relevant(state: dict) -> dict:
    return {k: v for k, v in state.items() if not k.endswith(_IGNORED_SUFFIXES)}


def parameter_count(state: dict) -> int:
    """Parameters in a state dict: every value except batch-norm statistics and counters."""
    return sum(v.numel() for k, v in _relevant(state).items()
               if not k.endswith(_STATISTICS_SUFFIXES))


def load_by_shape(model: nn.Module, state: dict, name: str) -> nn.Module:
    """Copy ``state``'s tensors into ``model`` (in place), matched by shape in order.

    Each of the model's tensors takes the first unused one of the same shape
    in ``state``; a tensor missing or left over raises ``ArchitectureMismatch``
    naming it (``name`` names the architecture in the message). Returns
    ``model`` in eval mode.
    """
    pool = list(_relevant(state).items())
    target = model.state_dict()
    for key, tensor in _relevant(target).items():
        match = next((i for i, (_, t) in enumerate(pool) if t.shape == tensor.shape), None)
        if match is None:
            raise ArchitectureMismatch(
                f"your {name} has no tensor of shape {tuple(tensor.shape)} for {key}")
        target[key] = pool.pop(match)[1].to(tensor.dtype)
    if pool:
        extra = ", ".join(f"{k} {tuple(t.shape)}" for k, t in pool[:5])
        raise ArchitectureMismatch(
            f"your {name} has {len(pool)} more tensor(s) than the specified one: {extra}")
    model.load_state_dict(target)
    return model.eval()


def load_by_name(model: nn.Module, state: dict, name: str) -> nn.Module:
    """Copy ``state``'s tensors into ``model`` by key; ``ArchitectureMismatch`` names what differs.

    For a checkpoint file, whose keys come back sorted: their order says nothing of
    the modules' order, so the keys must be the documented ones. Returns ``model``
    in eval mode.
    """
    given, target = _relevant(state), _relevant(model.state_dict())
    missing = [k for k in target if k not in given]
    unexpected = [k for k in given if k not in target]
    if missing or unexpected:
        raise ArchitectureMismatch(
            f"the tensors of your {name} checkpoint are not named like the specified model's "
            f"(the names of your ResNet20's state_dict when its modules are named as in the "
            f"docstring): missing {', '.join(missing[:4]) or 'none'}; unexpected "
            f"{', '.join(unexpected[:4]) or 'none'}")
    wrong = [f"{k} {tuple(given[k].shape)} (expected {tuple(t.shape)})"
             for k, t in target.items() if given[k].shape != t.shape]
    if wrong:
        raise ArchitectureMismatch(f"tensors of your {name} checkpoint have other shapes than "
                                   f"the specified model's: {', '.join(wrong[:4])}")
    model.load_state_dict({k: given[k].to(t.dtype) for k, t in target.items()}, strict=False)
    return model.eval()


def resnet20_from_state(state: dict) -> nn.Module:
    """The canonical ResNet-20 in eval mode holding a checkpoint's ``state``, matched by key.

    Option A or B by parameter count. Anything else, such as a ResNet-18 (about
    11.2 million parameters), raises ``ArchitectureMismatch``.
    """
    count = parameter_count(state)
    option = next((k for k, v in RESNET20_PARAMETERS.items() if v == count), None)
    if option is None:
        raise ArchitectureMismatch(
            f"your ResNet-20 has {count:,} parameters; ResNet-20 has 269,722 (option A, "
            f"zero-padding shortcuts) or 272,474 (option B, 1x1 projection shortcuts)")
    return load_by_name(resnet20(option), state, f"ResNet-20 (option {option})")
