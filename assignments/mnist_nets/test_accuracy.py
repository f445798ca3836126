"""Training: each model reaches its accuracy threshold after a fixed budget.

The worker trains the student's model with the grader's harness and returns
the trained weights. Where the judge's own copy of the architecture, loaded
with those weights, computes what the student's trained model computes on
fresh inputs, the judge predicts the held-out images itself: they never reach
the worker. Otherwise (a model that departs from the specification) the worker
predicts them in a secret order mixed with noisy copies (grader.toolkit.heldout).
Their labels stay with the judge. Thresholds per device class are calibrated
from the reference (`grader calibrate mnist_nets`), with margins, in assignment.toml.
"""

import pytest

from grader.kit.accuracy import check_threshold, train_on_budget
from grader.kit.fixtures import seed_from
from grader.toolkit import heldout, plots

TRAINED = ["LogisticRegression", "SimpleFC", "SimpleCNN"]


@pytest.mark.training
@pytest.mark.weight(12, split=True)
@pytest.mark.number("6.1")
@pytest.mark.parametrize("trained_id", TRAINED)
def test_accuracy(trained_id, build, judge_model, submission, assignment, training_data, images,
                  device, rng, pictures, record_property):
    """Model reaches the accuracy threshold on held-out MNIST images"""
    train, held = training_data
    seed = seed_from(rng)
    model = build(trained_id)
    trained = train_on_budget(submission, assignment, trained_id, model, train, device, seed)
    pictures.save("loss", plots.loss_curve(trained["loss_curve"],
                                           f"{trained_id}: training loss, fixed budget"))
    judge = judge_model(trained_id, trained["state"])
    predictions = heldout.trained_predictions(
        submission, model, judge, held.images, probe=images(16), mean=train.mean,
        std=train.std, device=device.type, seed=seed)
    check_threshold(assignment, device, trained_id, predictions, held, record_property)
