"""The kit's test bodies, each against a correct side and a wrong or cheating one.

The worker's side is played by objects in this process (what the proxy would
reach), so each guarantee is checked without a sandbox.
"""

import contextlib
import time
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from grader.kit import GraderProblem
from grader.kit import timing as kit_timing
from grader.kit.accuracy import check_threshold
from grader.kit.forward import (
    check_dropout_only_while_training,
    check_output_shape,
    check_spec_forward,
    drawn_twin,
    output_shape_test,
)
from grader.kit.training import judge_epoch, judge_evaluate
from grader.toolkit import timing
from grader.toolkit.layers import sequential

SPEC = [["Linear", 4, 8], ["ReLU"], ["Linear", 8, 3]]


class Helpers:
    """The grader helpers the kit calls, run here on real modules."""

    def inference(self, model, *args):
        with torch.no_grad():
            return model(*args)

    def state_dict(self, model):
        return {k: v.detach().clone() for k, v in model.state_dict().items()}

    def load_state(self, model, state):
        model.load_state_dict(state)


def worker():
    return SimpleNamespace(helpers=Helpers(), paused=contextlib.nullcontext)


class Sleeps(nn.Module):
    def __init__(self, seconds: float, answer=None):
        super().__init__()
        self.seconds, self.answer = seconds, answer

    def forward(self, x):
        time.sleep(self.seconds)
        return x * 2 if self.answer is None else self.answer


def doubled(args, output):
    assert torch.equal(output, args[0] * 2), "not the doubled input"


def speed(student, reference, max_ratio, check=doubled):
    kit_timing.check_forward_speed(worker(), student, worker(), reference,
                                   lambda i: (torch.full((2,), float(i)),), check,
                                   max_ratio=max_ratio, what="your forward", per="per call",
                                   warmup=1, repeats=5)


def test_a_forward_within_the_limit_passes():
    speed(Sleeps(0.01), Sleeps(0.01), max_ratio=3.0)


def test_a_forward_far_over_the_limit_fails_with_both_times():
    with pytest.raises(AssertionError, match=r"your forward took .*x the reference's time .*at "
                                             r"most 3x is allowed"):
        speed(Sleeps(0.08), Sleeps(0.005), max_ratio=3.0)


def test_every_timed_answer_is_checked_so_a_fast_wrong_model_fails():
    with pytest.raises(AssertionError, match="not the doubled input"):
        speed(Sleeps(0.0, answer=torch.zeros(2)), Sleeps(0.01), max_ratio=3.0)


@pytest.mark.parametrize("limit", [1.0, 0.95, 1.05])
def test_a_limit_inside_the_timing_noise_is_refused(limit):
    with pytest.raises(GraderProblem) as refused:
        speed(Sleeps(0.0), Sleeps(0.0), max_ratio=limit)
    assert "within the timing noise" in refused.value.staff_note


def straddling(*_, repeats, **__):
    """Rounds whose ratios lie at 2.5 and 3.5 in turn: a median of 3, on neither side of 3."""
    ratios = [2.5, 3.5] * repeats
    return timing.TimingResult(3.0, 1.0, 3.0, {"candidate": ratios[:repeats],
                                               "reference": [1.0] * repeats})


def test_a_ratio_that_stays_on_the_limit_is_measured_again_then_a_regrade(monkeypatch):
    rounds = []
    monkeypatch.setattr(timing, "compare", lambda *a, **k: rounds.append(k["repeats"])
                        or straddling(*a, **k))
    with pytest.raises(timing.Disturbed) as disturbed:
        speed(Sleeps(0.0), Sleeps(0.0), max_ratio=3.0)
    assert rounds == [5, 10, 20]  # twice the rounds each time
    assert "straddled the limit 3" in disturbed.value.staff_note


def test_a_clear_ratio_is_judged_at_once(monkeypatch):
    clear = timing.TimingResult(2.0, 1.0, 2.0, {"candidate": [1.9, 2.0, 2.1, 2.0],
                                                "reference": [1.0] * 4})
    rounds = []
    monkeypatch.setattr(timing, "compare", lambda *a, **k: rounds.append(k) or clear)
    speed(Sleeps(0.0), Sleeps(0.0), max_ratio=3.0)
    assert len(rounds) == 1


class Constant(nn.Module):
    """Reports the specified weights but ignores them: a constant answer."""

    def __init__(self):
        super().__init__()
        self.net = sequential(SPEC)

    def forward(self, x):
        return torch.zeros(len(x), 3)


class Honest(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = sequential(SPEC)

    def forward(self, x):
        return self.net(x)


def spec_forward(model):
    rng = torch.Generator().manual_seed(0)
    judge = drawn_twin(worker(), sequential(SPEC), model, rng)
    check_spec_forward(model, judge, torch.randn(6, 4, generator=rng), name="Net", hint="hint")


def test_the_specified_function_with_drawn_weights_passes_an_honest_model():
    spec_forward(Honest())


def test_a_model_that_ignores_its_weights_fails_the_specified_function():
    with pytest.raises(AssertionError, match="Net output"):
        spec_forward(Constant())


def test_drawn_weights_are_the_judge_s_not_the_student_s():
    model, rng = Honest(), torch.Generator().manual_seed(1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    judge = drawn_twin(worker(), sequential(SPEC), model, rng)
    for (key, mine), theirs in zip(model.state_dict().items(), judge.state_dict().values(),
                                   strict=True):
        assert torch.equal(mine, theirs) and not torch.equal(mine, before[key])


def test_a_missing_layer_is_named_by_its_shape():
    with pytest.raises(AssertionError, match=r"no parameter or buffer of shape \(3, 8\)"):
        drawn_twin(worker(), sequential(SPEC), sequential([["Linear", 4, 8]]),
                   torch.Generator().manual_seed(0))


def test_output_shape_feeds_a_single_image_in_eval_mode_only():
    net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    check_output_shape(net, lambda n: torch.randn(n, 4), 3, name="Net", hint="hint")
    assert not net.training
    with pytest.raises(AssertionError, match="Net output for 5 image"):
        check_output_shape(sequential(SPEC), lambda n: torch.randn(n, 4), 10, name="Net",
                           hint="end with 10 outputs")


def test_the_output_shape_test_carries_its_marks_title_and_body():
    test = output_shape_test(3, number="1.1", weight=4, title="Net maps images to logits",
                             hint="end with 3 outputs")
    marks = {mark.name: mark for mark in test.pytestmark}
    assert marks["weight"].args == (4,) and marks["weight"].kwargs == {"split": True}
    assert marks["number"].args == ("1.1",) and test.__doc__ == "Net maps images to logits"
    test(lambda model_id: sequential(SPEC), lambda n: torch.randn(n, 4), "Net")
    with pytest.raises(AssertionError, match="end with 3 outputs"):
        test(lambda model_id: sequential(SPEC[:1]), lambda n: torch.randn(n, 4), "Net")


def test_dropout_must_be_random_in_training_mode_only():
    def net(p):
        return nn.Sequential(nn.Linear(4, 8), nn.Dropout(p), nn.Linear(8, 3))

    inputs = torch.randn(16, 4)
    check_dropout_only_while_training(net(0.5), net(0.0), inputs, name="Drop", plain_name="Net",
                                      hint="add nn.Dropout")
    with pytest.raises(AssertionError, match="two passes of Drop .* should differ: add"):
        check_dropout_only_while_training(net(0.0), net(0.0), inputs, name="Drop",
                                          plain_name="Net", hint="add nn.Dropout")
    with pytest.raises(AssertionError, match="training-mode passes of Net"):
        check_dropout_only_while_training(net(0.5), net(0.5), inputs, name="Drop",
                                          plain_name="Net", hint="add nn.Dropout")


class AlwaysRandom(nn.Module):
    def forward(self, x):
        return x + torch.rand_like(x)


def test_dropout_left_on_in_eval_mode_fails():
    with pytest.raises(AssertionError, match="eval-mode passes of Drop"):
        check_dropout_only_while_training(AlwaysRandom(), nn.Identity(), torch.randn(4, 3),
                                          name="Drop", plain_name="Net", hint="h")


def held_out(labels):
    return SimpleNamespace(labels=torch.tensor(labels))


def test_the_threshold_is_judged_on_the_judge_s_accuracy_and_recorded():
    assignment = SimpleNamespace(threshold=lambda device, name, data: 0.75)
    recorded = {}
    check_threshold(assignment, "cpu", "Net", torch.tensor([1, 1, 0, 2]), held_out([1, 1, 0, 0]),
                    lambda key, value: recorded.__setitem__(key, value))
    assert recorded == {"accuracy": 0.75, "threshold": 0.75}
    with pytest.raises(AssertionError, match=r"Net reached 50.00% .* the threshold is 75.00%"):
        check_threshold(assignment, "cpu", "Net", torch.tensor([1, 0, 0, 2]),
                        held_out([1, 1, 0, 0]))


def test_the_judge_s_loop_trains_and_evaluates_its_own_copy():
    torch.manual_seed(0)
    net = sequential(SPEC)
    x, y = torch.randn(40, 4), torch.randint(3, (40,))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    first, _ = judge_epoch(net, optimizer, x, y, 8)
    for _ in range(30):
        judge_epoch(net, optimizer, x, y, 8)
    loss, accuracy = judge_evaluate(net.eval(), x, y)
    assert loss < first and 0 <= accuracy <= 1
