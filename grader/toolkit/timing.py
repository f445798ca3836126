"""A/B timing of a candidate against a reference, graded as a ratio, never in seconds.

Runs are interleaved (which side goes first alternates every round) so that
drift in machine load hits both sides alike; each call gets fresh inputs from
``make_inputs(i)`` so that neither side can answer from a cache; the median
discards the odd slow call. In grading both callables wrap calls into a
sandboxed worker, and the judge's wall time around them is what counts.

The candidate must not be able to slow the reference down (a thread left
burning CPU would make its own ratio look better): `pause_candidate` stops
everything of the candidate while the reference is timed. A steadily busy
machine slows both sides alike and leaves the ratio alone; one whose load comes
and goes shows in the reference's times, which should agree with each other. A
measurement whose reference times spread widely is taken again, with more
rounds; one that stays disturbed is no grade: `check_quiet` raises `Disturbed`,
which the judge records as a test to regrade, never as the student's failure.
"""

from __future__ import annotations

import contextlib
import dataclasses
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import torch

from grader.toolkit.training import synchronize


@dataclass(frozen=True)
class TimingResult:
    """Median seconds per call of each side, their ratio and every sample (seconds)."""

    candidate_median_s: float
    reference_median_s: float
    ratio: float  # candidate / reference: 2.0 means twice as slow
    samples: dict[str, list[float]]
    reference_spread: float = 1.0  # upper / lower quartile of the reference's calls
    disturbed: bool = False        # the spread stayed above the limit in every attempt
    attempts: int = 1              # measurements taken


class Disturbed(AssertionError):
    """The timing could not be measured: the judge marks the grading for a regrade.

    The message is the student's (no blame, no expected values); `staff_note` says
    what was seen, for the staff's log.
    """

    def __init__(self, message: str, staff_note: str):
        super().__init__(message)
        self.staff_note = staff_note


def _time_call(fn: Callable, args: tuple, device: torch.device | str) -> float:
    synchronize(device)
    start = time.perf_counter()
    fn(*args)
    synchronize(device)
    return time.perf_counter() - start


def compare(candidate: Callable, reference: Callable, make_inputs: Callable[[int], tuple], *,
            warmup: int = 2, repeats: int = 7, device: torch.device | str = "cpu",
            pause_candidate: Callable[[], AbstractContextManager] | None = None,
            max_reference_spread: float = 3.0, attempts: int = 3) -> TimingResult:
    """Time ``candidate(*make_inputs(i))`` against ``reference(*make_inputs(i))``.

    ``warmup`` untimed rounds come first (lazy init, caches, cuDNN autotuning);
    then ``repeats`` timed rounds, each calling both sides on equal but freshly
    made inputs (inputs are made outside the timed region). Up to ``attempts``
    measurements are taken, each with twice the rounds of the one before, until
    the reference's upper quartile is within ``max_reference_spread`` times its
    lower quartile (the odd call slowed by a neighbour does not count: the median
    ignores it too).
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    pause = pause_candidate or contextlib.nullcontext
    for attempt in range(1, attempts + 1):
        result = _measure(candidate, reference, make_inputs, warmup, repeats, device, pause)
        result = dataclasses.replace(result, attempts=attempt)
        if result.reference_spread <= max_reference_spread:
            return result
        repeats *= 2
    return dataclasses.replace(result, disturbed=True)


def _measure(candidate, reference, make_inputs, warmup, repeats, device, pause) -> TimingResult:
    samples: dict[str, list[float]] = {"candidate": [], "reference": []}
    for i in range(warmup + repeats):
        order = ["candidate", "reference"] if i % 2 == 0 else ["reference", "candidate"]
        for name in order:
            args = make_inputs(i)
            if name == "candidate":
                seconds = _time_call(candidate, args, device)
            else:
                with pause():
                    seconds = _time_call(reference, args, device)
            if i >= warmup:
                samples[name].append(seconds)
    cand = statistics.median(samples["candidate"])
    ref = statistics.median(samples["reference"])
    return TimingResult(cand, ref, cand / ref if ref > 0 else float("inf"), samples,
                        _spread(samples["reference"]))


def _spread(seconds: list[float]) -> float:
    """Upper quartile / lower quartile; below a millisecond, scheduler jitter is all a
    spread would show."""
    if len(seconds) < 2:
        return 1.0
    lower, _, upper = statistics.quantiles(seconds, n=4, method="inclusive")
    return upper / max(lower, 1e-3)


def check_quiet(result: TimingResult, reference: str = "the reference") -> None:
    """Raise `Disturbed` (a regrade, not a failure) when the timing was disturbed."""
    if result.disturbed:
        raise Disturbed(
            "Not graded yet: the grading machine was too busy to time this test fairly.",
            f"{reference}'s times spread {result.reference_spread:.1f}x (upper to lower "
            f"quartile) in each of {result.attempts} measurements, the last of "
            f"{len(result.samples['reference'])} rounds")


def within_ratio(result: TimingResult, max_ratio: float) -> bool:
    """True when the candidate is at most ``max_ratio`` times slower than the reference."""
    return result.ratio <= max_ratio
