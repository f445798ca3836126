"""A faulty call fails only its own test, with a clear message; a fresh worker serves the rest."""

import time

import pytest

from tests.sandbox.conftest import ADD_THEN_OTHERS, HONEST_OTHERS, output_of, rows

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("submission", "grading", "message"), [
    ("exits", {}, "add ended the worker process (exit code 3)"),
    ("crashes", {}, "add crashed the worker (killed by signal SIGSEGV)"),
    ("hangs", {"call_timeout_s": 2, "call_wall_factor": 20},  # a busy machine: CPU first
     "s of CPU time, the limit of one call ("),
    ("bloats", {"worker": {"memory_mb": 2500}}, "more than the limit of 2.4 GB, and was stopped"),
    ("forges", {}, "add sent a malformed reply"),
])
def test_fault_fails_its_test_and_the_rest_is_graded(example, grade_sandboxed, submission,
                                                       grading, message):
    document = grade_sandboxed(example(**grading), submission, *ADD_THEN_OTHERS)
    assert rows(document) == {"1.1": (0, 1, "failed"), **HONEST_OTHERS}
    assert message in output_of(document, "1.1")


def test_a_worker_killed_from_outside_is_retried_once(example, grade_sandboxed):
    document = grade_sandboxed(example(), "killed_once", *ADD_THEN_OTHERS)
    assert rows(document) == {"1.1": (1, 1, "passed"), **HONEST_OTHERS}


def test_a_worker_killed_from_outside_twice_is_the_graders_problem(example, grade_sandboxed):
    document = grade_sandboxed(example(), "killed_always", *ADD_THEN_OTHERS)
    assert rows(document) == {"1.1": (0, 1, "failed"), **HONEST_OTHERS}
    assert "problem with the grading machine, not your code" in output_of(document, "1.1")
    assert document["extra_data"]["regrade"] == ["1.1"]  # never a silent zero


def test_output_below_python_is_captured_capped_and_cleaned(example, grade_sandboxed):
    document = grade_sandboxed(example(), "floods", "-k", "test_add")
    assert rows(document) == {"1.1": (1, 1, "passed")}
    output = output_of(document, "1.1")
    assert "FLOOD" in output and "output truncated" in output
    assert "\x00" not in output and "\x1b" not in output
    assert len(output) <= 10_000


def test_time_budget_fails_the_rest_fast_and_keeps_every_row(example, grade_sandboxed):
    started = time.monotonic()
    document = grade_sandboxed(example(time_budget_s=12, call_timeout_s=60), "hangs")
    assert time.monotonic() - started < 40
    assert len(document["tests"]) == 16
    assert "the time budget of the whole grading run ran out" in output_of(document, "6.1")
    assert output_of(document, "1.1").startswith("Not run: the time budget of the grading run")
    assert document["score"] == 0
