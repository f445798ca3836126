"""Models for `grader calibrate scene_recognition` that the reference does not have.

Negative controls (wrong models that must stay below the thresholds on every
seed): a linear model on pixels, SimpleNet with every nonlinearity taken out
(no ReLUs, average instead of max pooling: linear, whatever its depth), and
MyAlexNet on a backbone that was never pretrained. SimpleNet without its ReLUs
alone is no control: max pooling is a nonlinearity, enough for the stand-in's
relation (datasets.py); the layer rules catch that net. And `FineTunedAlexNet`, the
reference's MyAlexNet on the pretrained backbone the fine-tuning test uses.
Loaded by calibration only, with the reference's modules and this folder importable.
"""

from pathlib import Path

from helpers import alexnet_like  # beside this file
from my_alexnet import MyAlexNet  # the reference's
from simple_net import SimpleNet  # the reference's
from torch import nn

from grader.toolkit.layers import load_network

BACKBONE = Path(__file__).with_name("backbone.safetensors")


def backbone(pretrained: bool) -> nn.Module:
    spec, state = load_network(BACKBONE)
    return alexnet_like(spec, state if pretrained else None)


class Linear(nn.Sequential):
    """A linear model on the pixels."""

    def __init__(self):
        super().__init__(nn.Flatten(), nn.Linear(64 * 64, 15))


class LinearSimpleNet(SimpleNet):
    """SimpleNet with its ReLUs removed and its max pooling made average pooling: linear."""

    def __init__(self):
        super().__init__()
        for part in (self.cnn_layers, self.fc_layers):
            for name, layer in list(part.named_children()):
                if isinstance(layer, nn.ReLU):
                    part._modules[name] = nn.Identity()
                elif isinstance(layer, nn.MaxPool2d):
                    part._modules[name] = nn.AvgPool2d(layer.kernel_size, layer.stride)


class FineTunedAlexNet(MyAlexNet):
    """MyAlexNet on the pretrained backbone: what the fine-tuning test trains."""

    def __init__(self):
        super().__init__(backbone=backbone(pretrained=True))


class RandomBackboneAlexNet(MyAlexNet):
    """MyAlexNet on the same layers with random weights: nothing to transfer."""

    def __init__(self):
        super().__init__(backbone=backbone(pretrained=False))
