"""train_one_epoch and evaluate, compared step for step with the judge's own loop."""

import pytest
import torch
import torch.nn.functional as F

from grader.kit.training import judge_copy, judge_epoch, judge_evaluate
from grader.toolkit import checks
from grader.toolkit.layers import sequential

# Small nets the judge owns: a correct loop must train and score them exactly as the judge does.
NET = [["Flatten"], ["Linear", 784, 32], ["ReLU"], ["Linear", 32, 10]]
NET_WITH_DROPOUT = [["Flatten"], ["Linear", 784, 32], ["ReLU"], ["Dropout", 0.5],
                    ["Linear", 32, 10]]
# Batch norm computes differently in training and eval mode, without randomness.
NET_WITH_NORM = [["BatchNorm2d", 1], ["Flatten"], ["Linear", 784, 32], ["ReLU"],
                 ["Linear", 32, 10]]
CPU = torch.device("cpu")


def data(rng, n):
    return torch.randn(n, 1, 28, 28, generator=rng), torch.randint(10, (n,), generator=rng)


def check_same_function(model, net, rng, what: str, hint: str) -> None:
    """The student's model computes the judge's net on fresh inputs (binds reported weights)."""
    x = torch.randn(16, 1, 28, 28, generator=rng)
    model.eval()
    with torch.no_grad():
        checks.check_close(model(x), net.eval()(x), rtol=1e-4, atol=1e-5, name=what, hint=hint)


@pytest.mark.weight(10)
@pytest.mark.number("4.1")
def test_train_one_epoch_matches_the_judge(submission, rng):
    """train_one_epoch takes the same steps and reports the same loss and accuracy"""
    x, y = data(rng, 200)  # 3 full batches of 64 and one of 8
    net = judge_copy(NET_WITH_NORM, rng)
    model = submission.helpers.build_module(NET_WITH_NORM, net.state_dict())
    model.eval()  # as evaluate leaves it: train_one_epoch must switch to training mode itself
    optimizer = submission.helpers.make_optimizer(model, "sgd", lr=0.05, momentum=0.9)
    result = submission.train.train_one_epoch(model, submission.helpers.make_loader(x, y, 64),
                                              optimizer, CPU)
    checks.check_loss_and_accuracy(result, *judge_epoch(
        net, torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9), x, y, 64),
                                   "train_one_epoch (called on a model left in eval mode)")
    hint = ("model.train() first (the model may come from evaluate, in eval mode), then one "
            "optimizer step per batch, gradients zeroed before each backward pass")
    trained = submission.helpers.state_dict(model)
    for key, value in net.state_dict().items():
        checks.check_close(trained[key], value, rtol=1e-4, atol=1e-5, name=f"trained {key}",
                           hint=hint)
    check_same_function(model, net, rng, "the trained model's output", hint)


@pytest.mark.weight(4)
@pytest.mark.number("4.2")
def test_train_one_epoch_overfits_a_small_batch(submission, rng):
    """Repeated train_one_epoch calls drive the loss on 32 images towards zero"""
    x, y = data(rng, 32)
    start = judge_copy(NET, rng)
    model = submission.helpers.build_module(NET, start.state_dict())
    optimizer = submission.helpers.make_optimizer(model, "adam", lr=0.01)
    loader = submission.helpers.make_loader(x, y, 32)
    for _ in range(40):
        submission.train.train_one_epoch(model, loader, optimizer, CPU)
    # The judge measures the loss itself, on its own copy with the trained weights, which
    # must compute what the student's trained model computes (the losses the loop reports
    # are its claims).
    trained = sequential(NET)
    try:
        trained.load_state_dict(submission.helpers.state_dict(model))
    except RuntimeError as error:
        raise AssertionError(f"the trained model's weights do not fit the model train_one_epoch "
                             f"was given: {error}") from None
    check_same_function(model, trained, rng, "the trained model's output",
                        "train the model it is given, in place")
    with torch.no_grad():
        before, after = (F.cross_entropy(net.eval()(x), y).item() for net in (start, trained))
    assert after < 0.05 * before, (
        f"the loss on 32 images went from {before:.3f} to {after:.3f} in 40 epochs; "
        "a working loop memorises them (loss below 5% of the start)")


@pytest.mark.weight(8)
@pytest.mark.number("4.3")
def test_evaluate_matches_the_judge(submission, rng):
    """evaluate reports the judge's loss and accuracy, in eval mode, without training"""
    x, y = data(rng, 150)  # batches of 64, 64 and 22
    net = judge_copy(NET_WITH_DROPOUT, rng).eval()
    model = submission.helpers.build_module(NET_WITH_DROPOUT, net.state_dict())
    model.train()  # evaluate must switch to eval mode itself
    result = submission.train.evaluate(model, submission.helpers.make_loader(x, y, 64), CPU)
    checks.check_loss_and_accuracy(result, *judge_evaluate(net, x, y), "evaluate")
    check_same_function(model, net, rng, "the model's output after evaluate",
                        "evaluate must not change the model's weights")
