"""A call's limit counts the CPU time the worker uses, so a busy machine cannot trip it;
a call that waits instead uses none, and a wall-clock cap several times larger stops it."""

import re
import time

import pytest

from grader.assignment import Assignment, GradingTable, Settings
from grader.host import usable_cpus
from grader.judge.errors import SubmissionError
from tests.sandbox.conftest import EXAMPLE, HERE

pytestmark = pytest.mark.slow
CPU_S = 1.0  # call_timeout_s: CPU seconds on each CPU the worker may use


def start(call_timeout_s: float, wall_factor: float):
    """The clock submission (submissions/clock) behind a sandboxed worker."""
    from grader.judge.client import Proxy
    from grader.sandbox import SandboxBackend

    assignment = Assignment(
        root=EXAMPLE.resolve(), name="clock", title="clock", files=("clock.py",),
        call_timeout_s=call_timeout_s,
        settings=Settings(grading=GradingTable(call_wall_factor=wall_factor)))
    backend = SandboxBackend(HERE / "submissions" / "clock", ["clock"], assignment=assignment)
    return Proxy(backend, ["clock"])


@pytest.fixture(scope="module")
def clock():
    """Calls limited to CPU_S of CPU time per CPU; a wall-clock cap (60 s) out of reach."""
    submission = start(CPU_S, wall_factor=60)
    submission.clock.sleep(0)  # the worker's start is not the first test's
    yield submission
    submission.close()


def test_a_call_that_computes_is_stopped_at_its_cpu_time(clock):
    started = time.monotonic()
    with pytest.raises(SubmissionError, match="of CPU time, the limit of one call") as error:
        clock.clock.spin()
    assert time.monotonic() - started < 60, "the wall-clock cap stopped it, not the CPU time"
    used = float(re.search(r"used (\d+) s of CPU time", str(error.value))[1])
    assert used >= round(CPU_S * usable_cpus()), str(error.value)


def test_a_call_that_waits_past_the_cpu_limit_is_not_stopped(clock):
    assert clock.clock.sleep(3 * CPU_S) == "slept"


def test_each_call_has_its_own_cpu_time(clock):
    for _ in range(2):  # together past the limit; each under it
        assert clock.clock.spin(0.6 * CPU_S * usable_cpus()) == "done"


def test_cpu_time_of_child_processes_counts(clock):
    with pytest.raises(SubmissionError, match="of CPU time, the limit of one call"):
        clock.clock.spin_in_child()


def test_a_call_that_waits_past_the_wall_clock_cap_is_stopped():
    submission = start(0.5, wall_factor=4)
    try:
        started = time.monotonic()
        with pytest.raises(SubmissionError, match="did not answer within 2 s of wall-clock time"):
            submission.clock.sleep(30)
        assert time.monotonic() - started < 20
        assert submission.clock.sleep(0) == "slept"  # a fresh worker serves the next call
    finally:
        submission.close()
