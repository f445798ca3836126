"""Hidden: training reaches the accuracy threshold after a fixed budget.

The worker trains the student's model with the grader's harness and returns the
trained weights. Where the judge's own architecture (canonical.py), loaded with
those weights, computes what the student's trained model computes on fresh
inputs, the judge predicts the held-out images itself; otherwise the worker
predicts them in a secret order mixed with noisy copies (grader.toolkit.heldout).

On a CPU the budget trains SimpleNN on the offline stand-in, where a SimpleNN
without activations stays far below the threshold. ResNet-20 is trained only on
CUDA (CIFAR-10 under the data root): on a CPU budget it cannot be told from a
network without skip connections, which test_resnet.py checks instead.
"""

import pytest

from grader.kit.accuracy import check_threshold, train_on_budget
from grader.kit.fixtures import seed_from
from grader.toolkit import heldout, plots


@pytest.mark.training
@pytest.mark.weight(10, split=True)
@pytest.mark.number("7.1")
def test_accuracy(trained_id, build, build_resnet, canonical, submission, assignment, cifar_data,
                  images, device, rng, pictures, record_property):
    """Model reaches the accuracy threshold on held-out images after the fixed budget"""
    train, held = cifar_data
    seed = seed_from(rng)
    model = build_resnet("A") if trained_id == "ResNet20" else build(trained_id)
    trained = train_on_budget(submission, assignment, trained_id, model, train, device, seed)
    pictures.save("loss", plots.loss_curve(trained["loss_curve"],
                                           f"{trained_id}: training loss, fixed budget"))
    judge = canonical.resnet20("A") if trained_id == "ResNet20" else canonical.simple_nn()
    try:
        judge = canonical.load_by_shape(judge, trained["state"], trained_id)
    except canonical.ArchitectureMismatch:
        judge = None
    predictions = heldout.trained_predictions(
        submission, model, judge, held.images, probe=images(16), mean=train.mean,
        std=train.std, device=device.type, seed=seed)
    check_threshold(assignment, device, trained_id, predictions, held, record_property,
                    "Check the architecture, the activations and the forward pass.")
