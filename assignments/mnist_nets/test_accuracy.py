"""Training: each model reaches its accuracy threshold after a fixed budget.

The worker trains the student's model with the grader's harness on the train
split and returns predictions for the held-out images; the judge alone has
their labels. Thresholds per device class are calibrated from the reference
(`grader calibrate mnist_nets`), with their margins, in assignment.toml.
"""

import pytest
import torch

from grader import checks

TRAINED = ["LogisticRegression", "SimpleFC", "SimpleCNN"]


@pytest.mark.training
@pytest.mark.weight(12, split=True)
@pytest.mark.number("6.1")
@pytest.mark.parametrize("trained_id", TRAINED)
def test_accuracy(trained_id, build, submission, assignment, mnist_data, device, rng):
    """Model reaches the accuracy threshold on held-out MNIST images"""
    train, heldout = mnist_data
    settings = assignment.config["training"]
    threshold = assignment.config["thresholds"][device.type][trained_id]
    recipe = {k: settings[k] for k in ("optimizer", "lr", "batch_size", "epochs")}
    recipe.update(settings.get(trained_id, {}))  # per-model budget
    result = submission.ops.train_and_predict(
        build(trained_id), recipe, train.images, train.labels, heldout.images,
        mean=train.mean, std=train.std, device=device.type,
        seed=int(torch.randint(2**31, (1,), generator=rng)))
    predictions = checks.check_tensor(result["predictions"], shape=(len(heldout),),
                                      dtype=torch.int64, name="predictions")
    accuracy = (predictions == heldout.labels).sum().item() / len(heldout)
    assert accuracy >= threshold, (
        f"{trained_id} reached {accuracy:.2%} held-out accuracy after the fixed training "
        f"budget; the threshold is {threshold:.2%}. Check the architecture and forward pass.")
