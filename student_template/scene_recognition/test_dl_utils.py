"""predict_labels, compute_loss and compute_accuracy, against the course's own case and the judge."""

import pytest
import torch
import torch.nn.functional as F

from grader.toolkit import checks

# The course's hand-built net: Linear(5, 5) without bias, weights arange(25) - 12, one input.
COURSE_NET = [["Linear", 5, 5, False]]
COURSE_WEIGHT = torch.arange(25, dtype=torch.float32).reshape(5, 5) - 12
COURSE_INPUT = torch.tensor([[1.4, -1.4, -0.7, 2.3, 0.3]])
COURSE_LOSS = {4: (7.486063259420916e-05, 5e-7), 3: (9.500075340270996, 1e-3)}  # label: (loss, atol)


def course_net(submission, reduction: str):
    net = submission.helpers.build_module(COURSE_NET, {"0.weight": COURSE_WEIGHT})
    return submission.helpers.with_loss_criterion(net, reduction)


@pytest.mark.weight(2)
@pytest.mark.number("5.1")
def test_predict_labels(submission, rng):
    """predict_labels: the arg-max class of each row, as int64"""
    logits = torch.randn(7, 15, generator=rng)
    checks.check_tensor(submission.dl_utils.predict_labels(logits), shape=(7,),
                        dtype=torch.int64, name="predict_labels(logits of 7 images)",
                        hint="the index of the largest logit over the classes (dimension 1)")
    checks.check_equal(submission.dl_utils.predict_labels(logits).tolist(),
                       logits.argmax(1).tolist(), name="predicted classes")
    checks.check_equal(submission.dl_utils.predict_labels(COURSE_INPUT @ COURSE_WEIGHT.T).tolist(),
                       [4], name="prediction of the course's Linear(5, 5) example")


@pytest.mark.weight(4, split=True)
@pytest.mark.number("5.2")
@pytest.mark.parametrize("label", [4, 3])
def test_compute_loss_course_example(submission, label):
    """compute_loss on the course's Linear(5, 5) example (reduction="sum")"""
    net = course_net(submission, "sum")
    loss = submission.dl_utils.compute_loss(net, net(COURSE_INPUT), torch.tensor([label]))
    expected, atol = COURSE_LOSS[label]
    checks.check_tensor(loss, shape=(), dtype=torch.float32, name="loss",
                        hint="return the criterion's 0-d tensor")
    checks.check_scalar(loss, expected, rtol=0, atol=atol, name=f"loss for label {label}")


@pytest.mark.weight(3, split=True)
@pytest.mark.number("5.3")
@pytest.mark.parametrize("reduction, normalize", [("sum", True), ("sum", False), ("mean", True)],
                         ids=["sum-normalized", "sum", "mean"])
def test_compute_loss(submission, rng, reduction, normalize):
    """compute_loss on a batch: the mean loss per sample when normalizing, else the criterion's"""
    state = {"0.weight": torch.randn(5, 5, generator=rng)}
    net = submission.helpers.with_loss_criterion(
        submission.helpers.build_module(COURSE_NET, state), reduction)
    x, labels = torch.randn(9, 5, generator=rng), torch.randint(5, (9,), generator=rng)
    loss = submission.dl_utils.compute_loss(net, net(x), labels, is_normalize=normalize)
    expected = F.cross_entropy(x @ state["0.weight"].T, labels,
                               reduction="mean" if normalize else reduction)
    checks.check_tensor(loss, shape=(), dtype=torch.float32, name="loss")
    checks.check_scalar(loss, expected.item(), rtol=1e-5, atol=1e-6,
                        name=f"loss of 9 samples, reduction={reduction!r}, is_normalize={normalize}",
                        hint="with is_normalize and a summing criterion, divide by the batch "
                             "size; a criterion that already averages is left alone")
    assert loss.requires_grad, "the loss must keep its graph (no .item(), no torch.no_grad())"


@pytest.mark.weight(2)
@pytest.mark.number("5.4")
def test_compute_accuracy(submission, rng):
    """compute_accuracy: the fraction of rows whose arg-max is the label"""
    logits = torch.randn(40, 15, generator=rng)
    right = torch.randperm(40, generator=rng)[:13]  # 13 of 40: no accuracy mirrors its error
    labels = (logits.argmax(1) + torch.randint(1, 15, (40,), generator=rng)) % 15
    labels[right] = logits.argmax(1)[right]
    accuracy = submission.dl_utils.compute_accuracy(logits, labels)
    checks.check_type(accuracy, float, name="compute_accuracy's return value",
                      hint="a Python float in [0, 1]: .item()")
    checks.check_scalar(accuracy, 13 / 40, rtol=0, atol=1e-6, name="accuracy",
                        hint="the share of rows whose arg-max equals the label")
