"""How often a correct training run falls below a threshold: the estimate calibration gives.

A threshold is set from a few dozen training runs of correct models, one per
seed; what matters is the chance that the next correct run (a student's) falls
below it. Counting the runs below it says little: with 20 runs and none below,
that chance could still be 14% (95% confidence). So the estimate models the
tail, as FLEX does for flaky ML tests (Dutta, Shi and Misailovic, FSE 2021):
peaks over a threshold, from extreme value theory. The worst `k` runs, measured
below the next worst one, are fitted with a generalized Pareto distribution
(probability-weighted moments, Hosking and Wallis 1987, sound for a handful of
points), whose tail gives the chance of falling below any lower threshold.

The shape is floored at 0 (an exponential tail): twenty runs cannot tell a
bounded tail from a light one, and trusting a bounded fit would call every
threshold below the worst run perfectly safe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_RUNS = 20          # fewer cannot estimate a tail; calibration refuses them
MIN_TAIL = 5           # the fewest worst runs a fit uses
SCALE_FLOOR = 1e-4     # runs that all agree still vary by about one image in ten thousand


@dataclass(frozen=True)
class TailEstimate:
    """The chance that a new run lands beyond a threshold, and how it was reached."""

    probability: float     # the estimate (the tail fit, or the count when the threshold is
                           # inside the bulk of the runs)
    beyond: int            # runs that did land beyond it
    runs: int
    shape: float           # the generalized Pareto fit of the worst runs
    scale: float

    @property
    def observed(self) -> float:
        return self.beyond / self.runs


def below(values: list[float], threshold: float) -> TailEstimate:
    """The chance that a new run's value falls below `threshold` (a false failure)."""
    return _tail([-v for v in values], -threshold)


def above(values: list[float], threshold: float) -> TailEstimate:
    """The chance that a new run reaches `threshold` (a wrong model that passes)."""
    return _tail(list(values), threshold, inclusive=True)


def _tail(values: list[float], limit: float, inclusive: bool = False) -> TailEstimate:
    """Chance that a new value exceeds `limit` (reaches it when `inclusive`), upper tail."""
    n = len(values)
    if n < MIN_RUNS:
        raise ValueError(f"{n} runs cannot estimate a tail; at least {MIN_RUNS} are needed")
    ordered = sorted(values)
    k = max(MIN_TAIL, n // 4)
    start = ordered[-k - 1]                       # the tail starts at the next worst run
    excesses = [v - start for v in ordered[-k:]]
    shape, scale = _fit(excesses)
    beyond = sum(v > limit or (inclusive and v == limit) for v in values)
    if limit <= start:                            # inside the bulk: the count says it
        return TailEstimate(max(beyond, 1) / n, beyond, n, shape, scale)
    distance = limit - start
    if shape == 0:
        survival = math.exp(-distance / scale)
    else:
        survival = (1 + shape * distance / scale) ** (-1 / shape)
    return TailEstimate(k / n * survival, beyond, n, shape, scale)


def _fit(excesses: list[float]) -> tuple[float, float]:
    """Generalized Pareto shape (floored at 0) and scale of non-negative excesses, by PWM."""
    ordered = sorted(excesses)
    k = len(ordered)
    a0 = sum(ordered) / k
    a1 = sum((1 - (i + 0.65) / k) * y for i, y in enumerate(ordered)) / k
    if a0 <= 0 or a0 - 2 * a1 <= 0:
        return 0.0, max(a0, SCALE_FLOOR)
    shape = 2 - a0 / (a0 - 2 * a1)                # Hosking and Wallis' k, negated
    if shape <= 0:
        return 0.0, max(a0, SCALE_FLOOR)          # exponential: its scale is the mean excess
    return shape, max(2 * a0 * a1 / (a0 - 2 * a1), SCALE_FLOOR)
