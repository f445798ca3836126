"""MyAlexNet: AlexNet's layers, frozen, with a new last layer Linear(4096, 15).

AlexNet itself (61 million parameters, 233 MB) is never built with weights:
its layout and trainable flags come from MyAlexNet() built on the meta device
(shapes only), and the judge counts its parameters from the layers' sizes.
What the student's code keeps, replaces and freezes is checked with every
weight on a small network laid out like AlexNet (SMALL_ALEXNET in
conftest.py): its layers as the judge rebuilt them from the forward pass,
before and after a training step. Both keep AlexNet's module indices, and a
forward without the average pool (a no-op at the sizes used: 224 x 224 for
AlexNet, 64 x 64 for the small one) is accepted, as the course accepted it.
"""

import pytest
import torch

from grader.toolkit import checks
from grader.toolkit.layers import PASS_THROUGH

SEQUENTIAL = "torch.nn.modules.container.Sequential"
COURSE_INPUT = (1, 1, 224, 224)  # AlexNet's own size, at which its average pool is a no-op
MAX_TRAINABLE = 70_000    # the course's bounds
MIN_FROZEN = 40_000_000
# AlexNet's layers with weights, in call order, then the new last layer
ALEXNET = [("Conv2d", 3, 64, (11, 11)), ("Conv2d", 64, 192, (5, 5)),
           ("Conv2d", 192, 384, (3, 3)), ("Conv2d", 384, 256, (3, 3)),
           ("Conv2d", 256, 256, (3, 3)), ("Linear", 9216, 4096), ("Linear", 4096, 4096),
           ("Linear", 4096, 15)]


def sizes(layer: dict) -> tuple:
    config = layer["config"]
    if layer["type"] == "Conv2d":
        return ("Conv2d", config["in_channels"], config["out_channels"],
                tuple(config["kernel_size"]))
    return (layer["type"], config.get("in_features"), config.get("out_features"))


def parameters(size: tuple) -> int:
    """Parameter elements of a Conv2d or Linear layer of these sizes, bias included."""
    _, n_in, n_out, *kernel = size
    return n_out * n_in * (kernel[0][0] * kernel[0][1] if kernel else 1) + n_out


@pytest.mark.weight(2)
@pytest.mark.number("7.1")
def test_layout(small_alexnet, alexnet_structure, small_alexnet_layers, images):
    """MyAlexNet keeps the backbone's layers and weights, then a new Linear(4096, 15)"""
    model, backbone = small_alexnet()
    for part in ("cnn_layers", "fc_layers"):
        assert getattr(model, part).isinstance_of(SEQUENTIAL), (
            f"MyAlexNet.{part} must be an nn.Sequential, got {getattr(model, part).type_name}")
    model.eval()
    checks.check_tensor(model(images(2)), shape=(2, 15), dtype=torch.float32,
                        name="MyAlexNet output for 2 grayscale 64x64 images",
                        hint="repeat the channel 3 times; the new last layer has 15 outputs")
    rebuilt = alexnet_structure(model)
    called = [(layer["type"], layer["config"]) for layer in rebuilt.layers
              if layer["type"] not in PASS_THROUGH]
    if called != small_alexnet_layers:  # the average pool may be left out, as the course does
        checks.check_equal(called, [layer for layer in small_alexnet_layers
                                    if layer[0] != "AdaptiveAvgPool2d"],
                           name="the layers MyAlexNet's forward calls",
                           hint="cnn_layers: the backbone's features then its avgpool; "
                                "fc_layers: its classifier without the last layer, then "
                                "nn.Linear(4096, 15)")
    kept = [value for key, value in rebuilt.state.items()
            if not key.startswith(f"{rebuilt.layers[-1]['name']}.")]
    given = list(backbone.values())[:-2]  # all but the replaced last layer's weight and bias
    reused = len(kept) == len(given) and all(torch.equal(a, b) for a, b in zip(kept, given))
    assert reused, ("MyAlexNet must reuse the backbone's own layers (and so its pretrained "
                    "weights), not new ones")


@pytest.mark.weight(4)
@pytest.mark.number("7.2")
def test_trainable_and_frozen_counts(submission, training_step):
    """With AlexNet: fewer than 70,000 trainable and more than 40 million frozen parameters"""
    claim = submission.helpers.layers_on_meta(submission.my_alexnet.MyAlexNet, COURSE_INPUT)
    weighted = [layer for layer in claim["layers"] if layer["type"] in ("Conv2d", "Linear")]
    checks.check_equal([sizes(layer) for layer in weighted], ALEXNET,
                       name="MyAlexNet()'s layers with weights (type, in, out, kernel)",
                       hint="with no backbone, MyAlexNet uses load_alexnet(); keep its layers "
                            "and replace only the last one")
    trainable = {layer["name"]: claim["trainable"].get(f"{layer['name']}.weight", False)
                 for layer in weighted}
    counts = {True: 0, False: 0}
    for layer, size in zip(weighted, ALEXNET):
        counts[trainable[layer["name"]]] += parameters(size)
    step = training_step()
    trains = {"the new last layer": trainable[weighted[-1]["name"]],
              "the backbone": any(list(trainable.values())[:-1])}
    changed = step.changed()
    shown = {"the new last layer": step.last["name"] in changed,
             "the backbone": any(name != step.last["name"] for name in changed)}
    for part, trained in trains.items():
        assert trained or not shown[part], (
            f"MyAlexNet() reports {part} frozen, but a training step changed it on a small "
            "AlexNet-shaped backbone: the trainable flags must be what training does")
    assert counts[True] < MAX_TRAINABLE, (
        f"{counts[True]:,} parameters of MyAlexNet train; fewer than {MAX_TRAINABLE:,} should "
        "(only the new last layer: set requires_grad=False on the others)")
    assert counts[False] > MIN_FROZEN, (
        f"{counts[False]:,} parameters of MyAlexNet are frozen; more than {MIN_FROZEN:,} "
        "should be (AlexNet's conv layers and its first two linear layers)")


@pytest.mark.weight(4)
@pytest.mark.number("7.3")
def test_only_the_new_last_layer_trains(training_step):
    """A training step changes the new last layer and nothing else"""
    step = training_step()
    last = step.last["name"]
    others = [name for name in step.changed() if name != last]
    assert not others, (f"a training step changed the layers {others}; freeze every layer "
                        "but the new last one (requires_grad=False)")
    assert last in step.changed(), (
        f"a training step left the new last layer ({last}) unchanged: it must be trainable")
