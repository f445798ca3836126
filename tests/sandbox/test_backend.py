"""The sandboxed backend on its own: the wire, handles across restarts, start-up."""

import os

import numpy as np
import pytest
import torch

from grader.judge.errors import SubmissionError

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("value", [
    torch.arange(12, dtype=torch.float64).reshape(3, 4),
    torch.zeros(10 * 2**20 // 4),                       # 10 MB
    np.arange(6, dtype=np.int16).reshape(2, 3),
    {"a": [1, 2.5, None, "x"], "b": (True, float("nan"))},
])
def test_plain_data_comes_back_equal_and_plain(probe, value):
    back = probe.probe.echo(value)
    assert type(back) is type(value)
    if isinstance(value, torch.Tensor):
        assert back.dtype == value.dtype and torch.equal(back, value)
    elif isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
    else:
        assert back["a"] == value["a"] and back["b"][0] is True and back["b"][1] != back["b"][1]


def test_handle_from_a_dead_worker_fails_clearly(probe):
    model = probe.probe.model()
    assert model.isinstance_of("torch.nn.Linear")
    with pytest.raises(SubmissionError, match="die ended the worker process"):
        probe.probe.die()
    with pytest.raises(SubmissionError, match="lost when the grader restarted your code"):
        model.eval()
    assert probe.probe.echo(7) == 7  # a fresh worker serves the next call


def test_sticky_cuda_error_gets_a_fresh_worker(probe):
    model = probe.probe.model()
    with pytest.raises(SubmissionError, match="the GPU cannot be used after this error"):
        probe.probe.cuda_error()
    with pytest.raises(SubmissionError, match="lost when the grader restarted your code"):
        model.eval()


def test_paused_worker_takes_no_cpu(probe):
    """While the judge times the reference, a process the student left running is stopped."""
    import time

    hog = probe.probe.busy(3.0)
    time.sleep(0.3)
    with probe.paused():
        before = probe_cpu(hog)
        time.sleep(0.5)
        during = probe_cpu(hog) - before
    time.sleep(0.3)
    assert during < 0.05, f"the hog ran {during:.2f} s of CPU while paused"
    assert probe_cpu(hog) - before > 0.1, "the hog should run again after the pause"


def probe_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
