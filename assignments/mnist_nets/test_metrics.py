"""Model metrics, each against the judge's own measurement of a model the judge built.

The measured nets' widths and kernel size are drawn from the test's generator (with the
grading secret mixed in when graded), so no number read off another run answers for them;
what a function must leave unchanged is checked by what the model computes afterwards.
"""

import tempfile
import time
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from grader.kit import SubmissionError
from grader.kit.fixtures import seed_from
from grader.toolkit import checks
from grader.toolkit.complexity import analytic_macs
from grader.toolkit.drawn import draw_weights
from grader.toolkit.layers import sequential

# The function peak_gpu_memory_mb gets trains this net one SGD step per call.
STEP_NET = [["Flatten"], ["Linear", 784, 10]]
STEP_LR = 0.5


def draw(rng, low: int, high: int) -> int:
    return int(torch.randint(low, high + 1, (1,), generator=rng))


def net_spec(rng) -> list:
    """A conv layer, batch norm (with buffers) and a Linear layer, of drawn sizes, so that
    every metric has a trap and no constant fits every draw."""
    channels, kernel, classes = draw(rng, 4, 32), 2 * draw(rng, 1, 2) + 1, draw(rng, 5, 30)
    return [["Conv2d", 1, channels, kernel, 1, kernel // 2], ["BatchNorm2d", channels],
            ["ReLU"], ["MaxPool2d", 2], ["Flatten"], ["Linear", channels * 14 * 14, classes]]


def judge_copy(spec, rng) -> torch.nn.Module:
    torch.manual_seed(seed_from(rng))
    return sequential(spec)


@pytest.fixture
def nets(submission, rng):
    """The judge's copy and the student-side copy of a drawn net, same weights, conv frozen."""
    spec = net_spec(rng)
    judge = judge_copy(spec, rng)
    judge[0].requires_grad_(False)
    remote = submission.helpers.build_module(spec, judge.state_dict())
    remote[0].requires_grad_(False)
    return judge, remote


def check_computes_like(remote, judge, rng, name: str, hint: str) -> None:
    """The student-side copy computes what the judge's copy computes, in eval mode, on fresh
    inputs (what a metric function must leave unchanged, it has)."""
    x = torch.randn(8, 1, 28, 28, generator=rng)
    remote.eval()
    with torch.no_grad():
        checks.check_close(remote(x), judge.eval()(x), rtol=1e-4, atol=1e-5, name=name,
                           hint=hint)


@pytest.mark.weight(2)
@pytest.mark.number("5.1")
def test_count_parameters(submission, nets):
    """count_parameters counts every parameter, frozen ones included"""
    judge, remote = nets
    checks.check_equal(submission.metrics.count_parameters(remote),
                       sum(p.numel() for p in judge.parameters()), name="parameter count",
                       hint="sum p.numel() over model.parameters(), trainable or not")


@pytest.mark.weight(2)
@pytest.mark.number("5.2")
def test_model_size_mb(submission, nets):
    """model_size_mb counts parameters and buffers, in MiB"""
    judge, remote = nets
    tensors = [*judge.parameters(), *judge.buffers()]
    expected = sum(t.numel() * t.element_size() for t in tensors) / 2**20
    checks.check_scalar(submission.metrics.model_size_mb(remote), expected, rtol=1e-6, atol=0,
                        name="model size in MiB",
                        hint="include buffers (batch-norm statistics); 1 MiB is 2**20 bytes")


@pytest.mark.weight(2)
@pytest.mark.number("5.3")
def test_saved_model_size_kb(submission, nets):
    """saved_model_size_kb saves the state_dict and reports the file size in KiB"""
    judge, remote = nets
    # torch.save names the archive inside the file after the file (model.pt: "model"), or
    # "archive" when given an open file: either is saving the state_dict to the path.
    sizes = []
    with tempfile.TemporaryDirectory() as folder:
        mine = Path(folder) / "model.pt"
        torch.save(judge.state_dict(), mine)
        sizes.append(mine.stat().st_size / 1024)
        with mine.open("wb") as file:
            torch.save(judge.state_dict(), file)
        sizes.append(mine.stat().st_size / 1024)
    size = submission.metrics.saved_model_size_kb(remote,
                                                  submission.helpers.scratch_path("model.pt"))
    nearest = min(sizes, key=lambda s: abs(s - size)) if isinstance(size, float | int) else sizes[0]
    checks.check_scalar(size, nearest, rtol=0, atol=0.5 / 1024, name="saved size in KiB",
                        hint="torch.save(model.state_dict(), path), then the file's size / 1024")


@pytest.mark.weight(3)
@pytest.mark.number("5.4")
def test_count_macs(submission, nets, rng):
    """count_macs reports thop's MACs and leaves no profiling buffers behind"""
    judge, remote = nets
    expected = analytic_macs(judge, (1, 1, 28, 28), count_norm=True)
    checks.check_equal(submission.metrics.count_macs(remote, (1, 1, 28, 28)), expected,
                       name="MACs", hint="thop.profile returns (macs, params); return int(macs)")
    # The model must hold exactly what it held: the judge's freshly drawn state loads into
    # it strictly (a buffer left behind is a missing key) and is what its forward uses.
    hint = "profile a copy.deepcopy of the model: thop adds buffers to the modules it profiles"
    try:
        submission.helpers.load_state(remote, draw_weights(judge, rng).state_dict())
    except SubmissionError as error:
        raise AssertionError("after count_macs the model no longer takes exactly its own "
                             f"parameters and buffers: {error}\nHint: {hint}") from None
    check_computes_like(remote, judge, rng, "the model's output after count_macs", hint)


@pytest.mark.weight(2)
@pytest.mark.number("5.5")
def test_inference_time(submission, nets, images, rng):
    """inference_time_ms_per_image agrees with the judge's clock"""
    judge, remote = nets
    x = images(256)
    remote.eval()
    remote(x)  # warm-up
    start = time.perf_counter()
    remote(x)
    judge_ms = (time.perf_counter() - start) * 1000 / len(x)
    remote.train()  # a forward in training mode would move the batch-norm statistics
    student_ms = submission.metrics.inference_time_ms_per_image(remote, x, "cpu")  # a name
    checks.check_type(student_ms, float, name="milliseconds per image")
    check_computes_like(remote, judge, rng, "the model's eval-mode output after timing",
                        "switch to eval mode (model.eval()) before the forward passes: in "
                        "training mode they move the batch-norm statistics")
    assert judge_ms / 20 <= student_ms <= judge_ms * 20, (
        f"{student_ms:.4g} ms per image, but the judge measured {judge_ms:.4g} ms: "
        "report milliseconds (not seconds) per image (not per batch)")


@pytest.mark.weight(1)
@pytest.mark.number("5.6")
def test_peak_gpu_memory(submission, device, rng):
    """peak_gpu_memory_mb calls the function once; 0 without a GPU"""
    # fn takes one SGD step of a net per call: the judge counts the calls by the net's output
    # afterwards (a counter in the worker is the callee's to set).
    net = judge_copy(STEP_NET, rng)
    x, y = torch.randn(16, 1, 28, 28, generator=rng), torch.randint(10, (16,), generator=rng)
    remote = submission.helpers.build_module(STEP_NET, net.state_dict())
    peak = submission.metrics.peak_gpu_memory_mb(
        submission.helpers.plain_sgd_stepper(remote, x, y, STEP_LR))
    F.cross_entropy(net(x), y).backward()
    with torch.no_grad():
        for p in net.parameters():
            p -= STEP_LR * p.grad
    check_computes_like(remote, net, rng, "the net that fn trains one step per call",
                        "call fn() exactly once")
    if device.type == "cpu":
        checks.check_scalar(peak, 0.0, rtol=0, atol=0, name="peak GPU memory on a CPU machine")
    else:
        checks.check_type(peak, float, name="peak GPU memory (MiB)")
        assert peak >= 0.0
