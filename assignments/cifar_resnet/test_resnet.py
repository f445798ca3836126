"""ResNet-20: size, stage layout, the shortcuts, and the residual really added.

ResNet-20's forward adds tensors between layers, which a list of layers cannot
show, so the judge copies your weights into its own ResNet-20 (canonical.py),
once with skip connections and once without, and asks which of the two computes
what your model computes on fresh inputs. Counts and layouts are graded only for
weights that one of them reproduces.
"""

import pytest
import torch

from grader.toolkit import checks
from grader.toolkit.complexity import analytic_macs

PARAMETERS = {"A": 269_722, "B": 272_474}
MACS = {"A": 40_551_040, "B": 40_813_184}
INPUT = (1, 3, 32, 32)
# (input channels, output channels, stride, input side) of each 3 x 3 conv of ResNet-20.
CONVS = ([(3, 16, 1, 32)] + [(16, 16, 1, 32)] * 6 + [(16, 32, 2, 32)] + [(32, 32, 1, 16)] * 5
         + [(32, 64, 2, 16)] + [(64, 64, 1, 8)] * 5)


def own_weights(resnet_twins, model, option: str):
    """The judge's ResNet-20 with the model's weights, once those are shown to be its own."""
    with_skips, _, matched = resnet_twins(model, option)
    assert matched is not None, (
        f"with your weights, the grader's ResNet-20 (option {option}), with or without skip "
        "connections, does not compute what your ResNet20 computes: check the order of the "
        "layers in BasicBlock (conv1, bn1, relu, conv2, bn2, add the shortcut, relu), the "
        "strides, and that the modules are defined in that order")
    return with_skips, matched


@pytest.mark.weight(2, split=True)
@pytest.mark.number("2.1")
def test_output_shape(build_resnet, images, option):
    """ResNet20 maps a batch of CIFAR images to one logit per class"""
    model = build_resnet(option)
    checks.check_tensor(model(images(3)), shape=(3, 10), dtype=torch.float32,
                        name=f"ResNet20(shortcut={option!r}) output for 3 images",
                        hint="global average pooling leaves 64 features for the Linear(64, 10)")


@pytest.mark.weight(4, split=True)
@pytest.mark.number("2.2")
def test_parameters_and_macs(build_resnet, submission, canonical, resnet_twins, option):
    """ResNet20 has the parameters and multiply-accumulates of He et al.'s ResNet-20"""
    model = build_resnet(option)
    count = canonical.parameter_count(submission.helpers.state_dict(model))
    checks.check_equal(count, PARAMETERS[option], name=f"ResNet20(shortcut={option!r}) "
                       "parameters", hint="3 stages of 3 BasicBlocks with 16, 32 and 64 "
                       "channels (a ResNet-18 has about 11.2 million)")
    judge, _ = own_weights(resnet_twins, model, option)
    checks.check_equal(analytic_macs(judge, INPUT), MACS[option], name="MACs per image",
                       hint="the stem and stage 1 run at 32 x 32, stage 2 at 16, stage 3 at 8")


@pytest.mark.weight(4)
@pytest.mark.number("2.3")
def test_stage_layout(build_resnet, submission, resnet_twins):
    """3 stages x 3 blocks: 16/32/64 channels, stride 2 in the first conv of stages 2 and 3,
    a BatchNorm2d after every conv"""
    model = build_resnet("A")
    own_weights(resnet_twins, model, "A")
    layers = submission.helpers.describe(model, INPUT)["layers"]
    convs = [(c["config"]["in_channels"], c["config"]["out_channels"], c["config"]["stride"][0],
              c["input_shape"][-1]) for c in layers if c["type"] == "Conv2d"]
    checks.check_equal(convs, CONVS, name="(in channels, out channels, stride, input size) of "
                       "each convolution, in call order", hint="19 convolutions: the stem, then "
                       "2 per block; stages 2 and 3 downsample in their first block's conv1")
    types = [c["type"] for c in layers]
    after = [types[i + 1] for i, t in enumerate(types) if t == "Conv2d"]
    checks.check_equal(after, ["BatchNorm2d"] * len(CONVS), name="the layer after each "
                       "convolution", hint="each conv is followed by its own BatchNorm2d, "
                       "before the ReLU and before the shortcut is added")


@pytest.mark.weight(6, split=True)
@pytest.mark.number("2.4")
def test_blocks_add_the_shortcut(build_resnet, resnet_twins, option):
    """Every BasicBlock adds its shortcut before the last ReLU (the judge's ResNet-20 with your
    weights computes what yours does)"""
    _, matched = own_weights(resnet_twins, build_resnet(option), option)
    assert matched == "residual", (
        "your ResNet20 computes what the grader's network computes without skip connections: "
        "BasicBlock.forward must return relu(bn2(conv2(...)) + shortcut(x))")


@pytest.mark.weight(3)
@pytest.mark.number("2.5")
def test_zero_pad_shortcut(submission, rng):
    """ZeroPadShortcut subsamples by the stride and pads the channels with zeros on both sides"""
    x = torch.randn(2, 16, 8, 8, generator=rng)
    out = submission.models.ZeroPadShortcut(16, 32, 2)(x)
    expected = torch.zeros(2, 32, 4, 4)
    expected[:, 8:24] = x[:, :, ::2, ::2]
    checks.check_tensor(out, shape=(2, 32, 4, 4), dtype=torch.float32, name="shortcut output",
                        hint="keep every stride-th pixel: x[:, :, ::stride, ::stride]")
    checks.check_close(out, expected, rtol=0, atol=0, name="shortcut output",
                       hint="8 zero channels, the 16 input channels, 8 zero channels")
