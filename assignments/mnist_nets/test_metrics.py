"""Model metrics, each against the judge's own measurement of a model the judge built."""

import tempfile
import time
from pathlib import Path

import pytest
import torch

from grader.toolkit import checks
from grader.toolkit.complexity import analytic_macs
from grader.toolkit.layers import sequential

# A net with a frozen layer and batch-norm buffers, so that every metric has a trap.
NET = [["Conv2d", 1, 8, 3, 1, 1], ["BatchNorm2d", 8], ["ReLU"], ["MaxPool2d", 2],
       ["Flatten"], ["Linear", 8 * 14 * 14, 10]]


@pytest.fixture
def nets(submission, rng):
    """The judge's copy and the student-side copy of NET, same weights, first conv frozen."""
    torch.manual_seed(int(torch.randint(2**31, (1,), generator=rng)))
    judge = sequential(NET)
    judge[0].requires_grad_(False)
    remote = submission.helpers.build_module(NET, judge.state_dict())
    remote[0].requires_grad_(False)
    return judge, remote


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
def test_count_macs(submission, nets):
    """count_macs reports thop's MACs and leaves no profiling buffers behind"""
    judge, remote = nets
    keys = sorted(submission.helpers.state_dict(remote))
    expected = analytic_macs(judge, (1, 1, 28, 28), count_norm=True)
    checks.check_equal(submission.metrics.count_macs(remote, (1, 1, 28, 28)), expected,
                       name="MACs", hint="thop.profile returns (macs, params); return int(macs)")
    checks.check_equal(sorted(submission.helpers.state_dict(remote)), keys,
                       name="state_dict keys after count_macs",
                       hint="profile a copy.deepcopy of the model: thop adds buffers")


@pytest.mark.weight(2)
@pytest.mark.number("5.5")
def test_inference_time(submission, nets, images):
    """inference_time_ms_per_image agrees with the judge's clock"""
    judge, remote = nets
    x = images(256)
    remote.eval()
    remote(x)  # warm-up
    start = time.perf_counter()
    remote(x)
    judge_ms = (time.perf_counter() - start) * 1000 / len(x)
    statistics = {key: value for key, value in judge.state_dict().items() if "running" in key}
    remote.train()  # a forward in training mode would move the batch-norm statistics
    student_ms = submission.metrics.inference_time_ms_per_image(remote, x, "cpu")  # a name
    checks.check_type(student_ms, float, name="milliseconds per image")
    after = submission.helpers.state_dict(remote)
    for key, value in statistics.items():
        checks.check_close(after[key], value, rtol=0, atol=0, name=f"{key} after timing",
                           hint="switch to eval mode (model.eval()) before the forward passes")
    assert judge_ms / 20 <= student_ms <= judge_ms * 20, (
        f"{student_ms:.4g} ms per image, but the judge measured {judge_ms:.4g} ms: "
        "report milliseconds (not seconds) per image (not per batch)")


@pytest.mark.weight(1)
@pytest.mark.number("5.6")
def test_peak_gpu_memory(submission, device):
    """peak_gpu_memory_mb calls the function once; 0 without a GPU"""
    counter = submission.helpers.call_counter()
    peak = submission.metrics.peak_gpu_memory_mb(counter)
    checks.check_equal(counter.calls, 1, name="calls of fn", hint="call fn exactly once")
    if device.type == "cpu":
        checks.check_scalar(peak, 0.0, rtol=0, atol=0, name="peak GPU memory on a CPU machine")
    else:
        checks.check_type(peak, float, name="peak GPU memory (MiB)")
        assert peak >= 0.0
