"""SimpleNet and SimpleNetDropout: outputs, layers counted through cnn_layers and fc_layers,
their loss criterion, and dropout only while training.

The nets are the student's own design within the course's rules, so the
counts come from the judge's verified rebuild of the layers their forward calls.
"""

import pytest
import torch
import torch.nn.functional as F

from grader.kit.forward import check_dropout_only_while_training, output_shape_test
from grader.toolkit import checks

# Course rules: at least this many layers of each type, inside cnn_layers or fc_layers.
AT_LEAST = {"SimpleNet": {"Conv2d": 2, "Linear": 2, "ReLU": 2},
            "SimpleNetDropout": {"Conv2d": 2, "Linear": 2, "ReLU": 2, "Dropout": 1}}
SEQUENTIAL = "torch.nn.modules.container.Sequential"


test_output_shape = output_shape_test(
    15, number="4.1", weight=4,
    title="Model maps a batch of 64x64 grayscale scenes to 15 logits each",
    hint="the last Linear layer has 15 outputs, one per scene class")


@pytest.mark.weight(6, split=True)
@pytest.mark.number("4.2")
def test_layers(build, structure, model_id):
    """Model's cnn_layers and fc_layers hold the layers the course asks for"""
    model = build(model_id)
    for part in ("cnn_layers", "fc_layers"):
        assert getattr(model, part).isinstance_of(SEQUENTIAL), (
            f"{model_id}.{part} must be an nn.Sequential, got {getattr(model, part).type_name}")
    layers = structure(model).layers
    inside = [layer["type"] for layer in layers
              if layer["name"].split(".")[0] in ("cnn_layers", "fc_layers")]
    for kind, count in AT_LEAST[model_id].items():
        assert inside.count(kind) >= count, (
            f"{model_id}'s forward calls {inside.count(kind)} {kind} layer(s) inside cnn_layers "
            f"and fc_layers; at least {count} are required (use nn.{kind} modules, not "
            "functional calls)")


@pytest.mark.weight(2, split=True)
@pytest.mark.number("4.3")
def test_loss_criterion(build, rng, model_id):
    """Model's loss_criterion is the cross-entropy of logits and labels"""
    criterion = build(model_id).loss_criterion
    reduction = criterion.reduction
    assert reduction in ("mean", "sum"), (
        f"loss_criterion should be nn.CrossEntropyLoss(reduction=\"mean\"), got reduction "
        f"{reduction!r}")
    logits, labels = torch.randn(6, 15, generator=rng), torch.randint(15, (6,), generator=rng)
    checks.check_close(criterion(logits, labels), F.cross_entropy(logits, labels,
                                                                  reduction=reduction),
                       rtol=1e-5, atol=1e-6, name="loss_criterion(logits, labels)",
                       hint="use nn.CrossEntropyLoss")


@pytest.mark.weight(3)
@pytest.mark.number("4.4")
def test_dropout_only_while_training(build, images):
    """SimpleNetDropout is random in training mode only; SimpleNet never is"""
    check_dropout_only_while_training(build("SimpleNetDropout"), build("SimpleNet"), images(16),
                                      name="SimpleNetDropout", plain_name="SimpleNet",
                                      hint="is there an nn.Dropout in it?")
