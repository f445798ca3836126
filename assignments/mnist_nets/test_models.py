"""Models: output shapes, exact parameter counts, layer structure, dropout and batch norm."""

import pytest
import torch

from grader.kit.forward import check_dropout_only_while_training, output_shape_test
from grader.toolkit import checks

PARAMETERS = {"LogisticRegression": 7_850, "SimpleFC": 567_434, "SimpleCNN": 50_186,
              "SimpleCNN(batch_norm=True)": 50_250}


test_output_shape = output_shape_test(
    10, number="1.1", weight=4, title="Model maps a batch of images to one logit per class",
    hint="flatten each image to 784 values and end with 10 outputs")


@pytest.mark.weight(6, split=True)
@pytest.mark.number("1.2")
def test_parameter_count(build, structure, model_id):
    """Model has exactly the parameters the architecture asks for"""
    counts = structure(build(model_id)).counts()
    checks.check_equal(counts["total"], PARAMETERS[model_id], name=f"{model_id} parameters",
                       hint="compare your layers with the architecture in the docstring")


@pytest.mark.weight(3)
@pytest.mark.number("1.3")
def test_simple_fc_structure(submission, structure):
    """SimpleFC: four Linear layers, a ReLU and a Dropout after each hidden layer"""
    rebuilt = structure(submission.models.SimpleFC(dropout=0.3))
    checks.check_equal(rebuilt.layer_types(), ["Linear", "ReLU", "Dropout"] * 3 + ["Linear"],
                       name="SimpleFC's layers, in the order its forward calls them",
                       hint="each hidden Linear is followed by nn.ReLU, then nn.Dropout, as the "
                            "docstring says; use modules, not functional calls")
    rates = [layer["config"]["p"] for layer in rebuilt.layers if layer["type"] == "Dropout"]
    checks.check_equal(rates, [0.3] * 3, name="dropout rates of SimpleFC(dropout=0.3)",
                       hint="every nn.Dropout takes the dropout argument")


@pytest.mark.weight(4)
@pytest.mark.number("1.4")
def test_simple_cnn_structure(submission, structure):
    """SimpleCNN: two conv blocks and one Linear; batch norm before the second conv"""
    block = ["Conv2d", "ReLU", "MaxPool2d"]
    checks.check_equal(structure(submission.models.SimpleCNN()).layer_types(),
                       block * 2 + ["Linear"],
                       name="SimpleCNN's layers, in the order its forward calls them",
                       hint="each block is Conv2d, ReLU, MaxPool2d, in the docstring's order")
    checks.check_equal(structure(submission.models.SimpleCNN(batch_norm=True)).layer_types(),
                       block + ["BatchNorm2d"] + block + ["Linear"],
                       name="SimpleCNN(batch_norm=True)'s layers, in call order",
                       hint="BatchNorm2d(32) comes after the first block, before the second "
                            "convolution")


@pytest.mark.weight(4)
@pytest.mark.number("1.5")
def test_dropout_only_while_training(build, submission, images):
    """SimpleFC(dropout=0.5) is random in training mode only; dropout=0 never is"""
    submission.helpers.manual_seed(0)
    check_dropout_only_while_training(
        submission.models.SimpleFC(dropout=0.5), build("SimpleFC"), images(16),
        name="SimpleFC(dropout=0.5)", plain_name="SimpleFC(dropout=0)",
        hint="is nn.Dropout(dropout) after each hidden layer?")


@pytest.mark.weight(4)
@pytest.mark.number("1.6")
def test_batch_norm_statistics(build, structure, images):
    """SimpleCNN(batch_norm=True) updates running statistics in training mode only"""
    model = build("SimpleCNN(batch_norm=True)")
    before = structure(model).state
    model.train()
    model(images(8) * 3 + 1)
    after = structure(model).state
    changed = [k for k in before if k.endswith("running_mean")
               and not torch.equal(before[k], after[k])]
    assert changed, "a training-mode forward pass should update BatchNorm2d's running_mean"
    model.eval()
    x = images(8)
    out = model(x)
    frozen = structure(model).state
    assert all(torch.equal(after[k], frozen[k]) for k in after), (
        "an eval-mode forward pass must not change the batch norm statistics")
    checks.check_close(model(x[:3]), out[:3], rtol=1e-5, atol=1e-6,
                       name="eval-mode output of the first 3 images alone",
                       hint="in eval mode an image's output must not depend on its batch")
