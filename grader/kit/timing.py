"""The timing test: a forward of the student's model against the reference's, as a ratio.

What it guarantees, so that an assignment's timing test need not:
- The reference runs in its own worker, and every process of the student is
  paused while it does: student code cannot slow the reference down.
- Both sides run without autograd on equal inputs made fresh for every call,
  so neither can answer from a cache, and every answer the student's model
  gave under the clock is checked afterwards (`check_answer`): a model that is
  fast because it computes something else earns nothing.
- The verdict needs the ratio to be clearly on one side of the limit: the
  rounds' own ratios (student / reference, one per interleaved round) must lie
  below it, or above it, in their middle half. Until they do, the measurement
  is taken again with twice the rounds; when they never do, or the reference's
  own times spread widely, the grading is marked for a regrade
  (`toolkit.timing.Disturbed`), never failed on the student's account.
- A limit closer to 1 than `NOISE` is refused: two identical forwards, timed
  this way on a shared two-core machine, come out 0.93-0.97x apart, so such a
  limit would grade the machine, not the code.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import torch

from grader.assignment import GraderProblem
from grader.toolkit import checks, timing

NOISE = 1.1


def check_forward_speed(submission, model, reference, reference_model,
                        inputs: Callable[[int], tuple], check_answer: Callable, *,
                        max_ratio: float, what: str, per: str,
                        against: str = "the reference's", warmup: int = 2,
                        repeats: int = 7, attempts: int = 3) -> None:
    """Pass when `model` (a handle in the student's worker) runs `inputs(i)` in at most
    `max_ratio` times the time `reference_model` (in the reference's worker) takes.

    `check_answer(args, output)` runs after the clock on every timed call's inputs
    and the student's output; `what` names the student's side in messages ("your
    SimpleCNN forward"), `per` the unit of work ("per batch of 128").
    """
    _refuse_noise(max_ratio)
    answers = []

    def run_student(*args):
        answers.append((args, submission.helpers.inference(model, *args)))

    def run_reference(*args):
        return reference.helpers.inference(reference_model, *args)

    for attempt in range(attempts):
        answers.clear()
        result = timing.compare(run_student, run_reference, inputs, warmup=warmup,
                                repeats=repeats * 2 ** attempt,
                                pause_candidate=submission.paused)
        for args, output in answers:
            check_answer(args, output)
        timing.check_quiet(result, against.removesuffix("'s"))
        if _clear_of(result, max_ratio):
            break
    else:
        raise timing.Disturbed(
            "Not graded yet: the grading machine's timings were too uneven to tell whether "
            "this forward is within the time limit.",
            f"{what}: the rounds' ratios straddled the limit {max_ratio:g} in each of "
            f"{attempts} measurements (median {result.ratio:.2f})")
    assert result.ratio <= max_ratio, (
        f"{what} took {result.ratio:.2f}x {against} time ({result.candidate_median_s * 1000:.1f} "
        f"ms vs {result.reference_median_s * 1000:.1f} ms {per}); at most {max_ratio:g}x is "
        "allowed")


def _clear_of(result: timing.TimingResult, limit: float) -> bool:
    """True when the middle half of the rounds' ratios lies on one side of `limit`."""
    ratios = [c / r for c, r in zip(result.samples["candidate"], result.samples["reference"],
                                    strict=True) if r > 0]
    if len(ratios) < 2:
        return True
    lower, _, upper = statistics.quantiles(ratios, n=4, method="inclusive")
    return upper <= limit or lower > limit


def _refuse_noise(max_ratio: float) -> None:
    if 1 / NOISE < max_ratio < NOISE:
        raise GraderProblem(
            "Not graded yet: this timing test needs its limit fixed by the course staff.",
            f"a time limit of {max_ratio:g}x is within the timing noise (1/{NOISE:g} to "
            f"{NOISE:g}x): identical code could land on either side of it")


def same_as(judge: torch.nn.Module, name: str) -> Callable:
    """A `check_answer` for `check_forward_speed`: each timed output is what `judge` (the
    student's model's twin, `kit.forward.drawn_twin`) computes on the same inputs."""
    def check(args: tuple, output) -> None:
        with torch.no_grad():
            expected = judge(*args)
        checks.check_close(output, expected, rtol=1e-4, atol=1e-5, name=f"{name} output")
    return check
