"""A/B timing of a candidate against a reference, graded as a ratio, never in seconds.

Runs are interleaved (which side goes first alternates every round) so that
drift in machine load hits both sides alike; each call gets fresh inputs from
``make_inputs(i)`` so that neither side can answer from a cache; the median
discards the odd slow call. In grading both callables wrap calls into a
sandboxed worker, and the judge's wall time around them is what counts.

The candidate must not be able to slow the reference down (a thread left
burning CPU would make its own ratio look better): `pause_candidate` stops
everything of the candidate while the reference is timed, and a measurement
whose reference times still spread widely is taken again, then reported as
disturbed.
"""

from __future__ import annotations

import contextlib
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
    reference_spread: float = 1.0  # slowest / fastest reference call
    disturbed: bool = False        # the spread stayed above the limit in every attempt


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
    measurements are taken until the reference's slowest call is within
    ``max_reference_spread`` times its fastest.
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    pause = pause_candidate or contextlib.nullcontext
    for _ in range(attempts):
        result = _measure(candidate, reference, make_inputs, warmup, repeats, device, pause)
        if result.reference_spread <= max_reference_spread:
            return result
    return TimingResult(result.candidate_median_s, result.reference_median_s, result.ratio,
                        result.samples, result.reference_spread, disturbed=True)


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
    # Below a millisecond, scheduler jitter is all a spread would show.
    spread = max(samples["reference"]) / max(min(samples["reference"]), 1e-3)
    return TimingResult(cand, ref, cand / ref if ref > 0 else float("inf"), samples, spread)


def check_quiet(result: TimingResult, reference: str = "the reference") -> None:
    """Fail, blaming the machine and not the student, when the timing was disturbed."""
    if result.disturbed:
        raise AssertionError(
            f"{reference}'s own times varied too much to compare against "
            f"({result.reference_spread:.1f}x between its fastest and slowest call, in every "
            "attempt): the grading machine was busy. This is not your code's fault; please "
            "ask the staff to regrade.")


def within_ratio(result: TimingResult, max_ratio: float) -> bool:
    """True when the candidate is at most ``max_ratio`` times slower than the reference."""
    return result.ratio <= max_ratio
