"""A/B timing of a candidate against a reference, graded as a ratio, never in seconds.

Runs are interleaved (which side goes first alternates every round) so that
drift in machine load hits both sides alike; each call gets fresh inputs from
``make_inputs(i)`` so that neither side can answer from a cache; the median
discards the odd slow call. In grading both callables wrap calls into a
sandboxed worker, and the judge's wall time around them is what counts.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from grader.training import synchronize


@dataclass(frozen=True)
class TimingResult:
    """Median seconds per call of each side, their ratio and every sample (seconds)."""

    candidate_median_s: float
    reference_median_s: float
    ratio: float  # candidate / reference: 2.0 means twice as slow
    samples: dict[str, list[float]]


def _time_call(fn: Callable, args: tuple, device: torch.device | str) -> float:
    synchronize(device)
    start = time.perf_counter()
    fn(*args)
    synchronize(device)
    return time.perf_counter() - start


def compare(candidate: Callable, reference: Callable, make_inputs: Callable[[int], tuple], *,
            warmup: int = 2, repeats: int = 7,
            device: torch.device | str = "cpu") -> TimingResult:
    """Time ``candidate(*make_inputs(i))`` against ``reference(*make_inputs(i))``.

    ``warmup`` untimed rounds come first (lazy init, caches, cuDNN autotuning);
    then ``repeats`` timed rounds, each calling both sides on equal but freshly
    made inputs (inputs are made outside the timed region).
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    sides = {"candidate": candidate, "reference": reference}
    samples: dict[str, list[float]] = {"candidate": [], "reference": []}
    for i in range(warmup + repeats):
        order = ["candidate", "reference"] if i % 2 == 0 else ["reference", "candidate"]
        for name in order:
            seconds = _time_call(sides[name], make_inputs(i), device)
            if i >= warmup:
                samples[name].append(seconds)
    cand = statistics.median(samples["candidate"])
    ref = statistics.median(samples["reference"])
    return TimingResult(cand, ref, cand / ref if ref > 0 else float("inf"), samples)


def within_ratio(result: TimingResult, max_ratio: float) -> bool:
    """True when the candidate is at most ``max_ratio`` times slower than the reference."""
    return result.ratio <= max_ratio
