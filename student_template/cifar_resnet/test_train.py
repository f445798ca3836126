"""SGD with weight decay, step decay, and the per-epoch loops, against the judge's own steps."""

import pytest
import torch

from grader.kit.training import judge_copy, judge_epoch, judge_evaluate
from grader.toolkit import checks

# Small nets the judge owns: correct code must train and score them exactly as the judge does.
NET = [["Flatten"], ["Linear", 3 * 8 * 8, 16], ["ReLU"], ["Linear", 16, 10]]
NET_WITH_NORM = [["Conv2d", 3, 4, 3, 1, 1], ["BatchNorm2d", 4], ["ReLU"], ["Flatten"],
                 ["Linear", 4 * 8 * 8, 10]]
CPU = torch.device("cpu")
SGD = {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}


def data(rng, n):
    return torch.randn(n, 3, 8, 8, generator=rng), torch.randint(10, (n,), generator=rng)


def check_weights(submission, model, net, rng, hint: str) -> None:
    """The student's weights are the judge's, and they are what the model computes with."""
    trained = submission.helpers.state_dict(model)
    for key, value in net.state_dict().items():
        checks.check_close(trained[key], value, rtol=1e-4, atol=1e-5, name=f"trained {key}",
                           hint=hint)
    x = torch.randn(16, 3, 8, 8, generator=rng)
    model.eval()
    with torch.no_grad():
        checks.check_close(model(x), net.eval()(x), rtol=1e-4, atol=1e-5,
                           name="the trained model's output", hint=hint)


@pytest.mark.weight(6)
@pytest.mark.number("4.1")
def test_make_optimizer(submission, rng):
    """make_optimizer is SGD over every parameter, stepping like the judge's SGD"""
    net = judge_copy(NET, rng)
    model = submission.helpers.build_module(NET, net.state_dict())
    optimizer = submission.train.make_optimizer(model, **SGD)
    settings = submission.helpers.optimizer_settings(optimizer)
    checks.check_equal(settings["type"], "SGD", name="optimizer type")
    checks.check_equal(settings["parameters"], sum(p.numel() for p in net.parameters()),
                       name="parameters the optimizer updates",
                       hint="pass model.parameters(): all of them, once")
    x, y = data(rng, 32)
    submission.helpers.optimizer_steps(model, optimizer, x, y, 3)
    judge = torch.optim.SGD(net.parameters(), **SGD)
    for _ in range(3):
        judge_epoch(net, judge, x, y, 32)
    check_weights(submission, model, net, rng, "SGD(model.parameters(), lr=lr, "
                  "momentum=momentum, weight_decay=weight_decay): weight decay once, as given")


@pytest.mark.weight(5)
@pytest.mark.number("4.2")
def test_make_scheduler(submission, rng):
    """make_scheduler decays the learning rate by gamma every step_size epochs"""
    model = submission.helpers.build_module(NET, judge_copy(NET, rng).state_dict())
    optimizer = submission.helpers.make_optimizer(model, "sgd", lr=0.1, momentum=0.9)
    scheduler = submission.train.make_scheduler(optimizer, step_size=3, gamma=0.2)
    rates, expected = [], []
    for epoch in range(1, 9):
        scheduler.step()  # once per epoch, as the course's training loop does
        rates.append(round(submission.helpers.learning_rates(optimizer)[0], 12))
        expected.append(round(0.1 * 0.2 ** (epoch // 3), 12))
    checks.check_equal(rates, expected, name="learning rate after each of 8 epochs",
                       hint="torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma)")


@pytest.mark.weight(8)
@pytest.mark.number("4.3")
def test_train_one_epoch_matches_the_judge(submission, rng):
    """train_one_epoch takes the judge's steps (weight decay once) and reports its loss, accuracy"""
    x, y = data(rng, 100)  # batches of 32, 32, 32 and 4
    net = judge_copy(NET_WITH_NORM, rng)
    model = submission.helpers.build_module(NET_WITH_NORM, net.state_dict())
    model.eval()  # as evaluate leaves it: train_one_epoch must switch to training mode itself
    optimizer = submission.helpers.make_optimizer(model, "sgd", **SGD)
    result = submission.train.train_one_epoch(model, submission.helpers.make_loader(x, y, 32),
                                              optimizer, CPU)
    expected = judge_epoch(net, torch.optim.SGD(net.parameters(), **SGD), x, y, 32)
    checks.check_loss_and_accuracy(result, *expected,
                                   "train_one_epoch (called on a model left in eval mode)")
    check_weights(submission, model, net, rng, "model.train() first, then one optimizer step "
                  "per batch on the plain cross-entropy: the optimizer applies the weight "
                  "decay, the loss must not")


@pytest.mark.weight(5)
@pytest.mark.number("4.4")
def test_train_one_epoch_steps_the_scheduler_per_epoch(submission, rng):
    """train_one_epoch steps a given scheduler once, after the epoch's last batch"""
    x, y = data(rng, 96)  # 3 batches per epoch
    model = submission.helpers.build_module(NET, judge_copy(NET, rng).state_dict())
    optimizer = submission.helpers.make_optimizer(model, "sgd", lr=0.08, momentum=0.9)
    scheduler = submission.helpers.step_decay(optimizer, 1, 0.5)
    loader = submission.helpers.make_loader(x, y, 32)
    rates = []
    for _ in range(3):
        submission.train.train_one_epoch(model, loader, optimizer, CPU, scheduler=scheduler)
        rates.append(round(submission.helpers.learning_rates(optimizer)[0], 12))
    checks.check_equal(rates, [0.04, 0.02, 0.01], name="learning rate after each epoch "
                       "(StepLR step_size=1, gamma=0.5)",
                       hint="call scheduler.step() once per epoch, after the loop over batches")


@pytest.mark.weight(6)
@pytest.mark.number("4.5")
def test_evaluate_matches_the_judge(submission, rng):
    """evaluate reports the judge's loss and accuracy, in eval mode, without training"""
    x, y = data(rng, 80)  # batches of 32, 32 and 16
    net = judge_copy(NET_WITH_NORM, rng).eval()
    with torch.no_grad():  # running statistics away from their initial values
        net.train()(x * 2 + 1)
        net.eval()
    model = submission.helpers.build_module(NET_WITH_NORM, net.state_dict())
    model.train()  # evaluate must switch to eval mode itself
    result = submission.train.evaluate(model, submission.helpers.make_loader(x, y, 32), CPU)
    checks.check_loss_and_accuracy(result, *judge_evaluate(net, x, y), "evaluate")
    check_weights(submission, model, net, rng, "evaluate must neither train the model nor "
                  "update batch norm's running statistics (model.eval(), torch.no_grad())")
