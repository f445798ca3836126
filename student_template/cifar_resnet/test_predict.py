"""write_predictions: the predictions.csv format, row for row, from a model the judge knows."""

import pytest
import torch

from grader.kit.fixtures import seed_from
from grader.toolkit import artifacts, checks
from grader.toolkit.layers import sequential

# Batch norm with moved statistics: a forward in training mode predicts other classes.
NET = [["Conv2d", 3, 4, 3, 2, 1], ["BatchNorm2d", 4], ["ReLU"], ["Flatten"],
       ["Linear", 4 * 16 * 16, 10]]


@pytest.mark.weight(6)
@pytest.mark.number("5.1")
def test_write_predictions(submission, rng, images):
    """write_predictions writes Id,Label and one row per image, in order, with the arg-max class"""
    torch.manual_seed(seed_from(rng))
    net = sequential(NET).eval()
    net[1].running_mean.uniform_(-1, 1)
    net[1].running_var.uniform_(0.2, 3)
    model = submission.helpers.build_module(NET, net.state_dict())
    model.train()  # write_predictions must switch to eval mode itself
    x = images(37)
    path = submission.helpers.scratch_path("predictions.csv")
    submission.predict.write_predictions(model, x, path, batch_size=16)
    text = submission.helpers.read_text(path)
    checks.check_equal(text.splitlines()[0] if text else "", "Id,Label",
                       name="first line of the file", hint="write the header line first")
    labels = artifacts.read_predictions(text.encode(), len(x), num_classes=10,
                                        name="the file write_predictions wrote")
    with torch.no_grad():
        expected = net(x).argmax(1)
    wrong = (labels != expected).nonzero().flatten().tolist()
    assert not wrong, (
        f"{len(wrong)} of {len(x)} rows have another label than the model's arg-max class "
        f"(first: Id {wrong[0]}, label {labels[wrong[0]]}, expected {expected[wrong[0]]}); "
        "predict in eval mode and write row i for image i, batch after batch")
