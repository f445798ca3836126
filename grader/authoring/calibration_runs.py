"""What calibration runs say about a threshold: the runs, their summary per model, each
design's estimated false-failure rate and each negative control's chance of passing.

`grader calibrate` (grader.authoring.calibrate) trains the runs; this judges them.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from grader.authoring import tails

REFERENCE = "reference"  # the design name of the reference solution


@dataclass(frozen=True)
class Run:
    model: str                  # the model whose budget (and threshold) this run is about
    seed: int
    accuracy: float
    seconds: float
    control: str | None = None  # the negative control trained in its place, if any
    design: str = REFERENCE
    weights: str = ""           # digest of the trained weights, whatever their names
    borrowed: bool = False      # the reference's run, standing for a design that trains alike



def summarize(runs: list[Run], margin: float) -> dict[str, dict]:
    """Per model: min/mean/max accuracy of the reference, mean seconds, the suggested
    threshold, and the best accuracy of its negative controls (when it has some)."""
    summary = {}
    for name in dict.fromkeys(r.model for r in runs):
        own = [r for r in runs if r.model == name and r.control is None
               and r.design == REFERENCE]
        accuracies = [r.accuracy for r in own]
        summary[name] = {
            "accuracy_min": round(min(accuracies), 4),
            "accuracy_mean": round(statistics.fmean(accuracies), 4),
            "accuracy_max": round(max(accuracies), 4),
            "seconds_mean": round(statistics.fmean(r.seconds for r in own), 3),
            # Floored to 3 decimals: a rounded-up threshold could fail the reference itself.
            "threshold": math.floor((min(accuracies) - margin) * 1000) / 1000,
        }
        controls = [r.accuracy for r in runs if r.model == name and r.control]
        if controls:
            summary[name]["control_max"] = round(max(controls), 4)
    return summary


@dataclass(frozen=True)
class Risk:
    """One design's (or control's) runs against its model's threshold."""

    model: str
    design: str
    control: bool
    accuracies: tuple[float, ...]
    estimate: tails.TailEstimate
    borrowed: bool = False  # most runs are the reference's (the design trains alike)


def risks(runs: list[Run], summary: dict[str, dict]) -> list[Risk]:
    """Each design's estimated false-failure rate, each control's chance of passing."""
    found = []
    groups = dict.fromkeys((r.model, r.design, r.control is not None) for r in runs)
    for model, design, control in groups:
        own = [r for r in runs if (r.model, r.design, r.control is not None)
               == (model, design, control)]
        accuracies = [r.accuracy for r in own]
        threshold = summary[model]["threshold"]
        estimate = (tails.above if control else tails.below)(accuracies, threshold)
        found.append(Risk(model, design, control, tuple(accuracies), estimate,
                          any(r.borrowed for r in own)))
    return found


def too_risky(found: list[Risk], summary: dict[str, dict], max_false_failure: float
              ) -> list[str]:
    """Why each design's runs fall below its threshold too often (with advice)."""
    problems = []
    for risk in found:
        if risk.control or risk.estimate.probability <= max_false_failure:
            continue
        stats = summary[risk.model]
        room = (f" (the controls reach at most {stats['control_max']:.4f}: keep it above that)"
                if "control_max" in stats else "")
        problems.append(
            f"{risk.model} as {risk.design} writes it falls below the threshold "
            f"{stats['threshold']:.3f} in {risk.estimate.beyond} of {risk.estimate.runs} "
            f"seeds (worst {min(risk.accuracies):.4f}); the estimated false-failure rate "
            f"{risk.estimate.probability:.2%} exceeds max_false_failure "
            f"{max_false_failure:.2%}. Lower the threshold with a larger [calibration] "
            f"margin{room}, give {risk.model} a longer budget ([training.{risk.model}] steps "
            "or epochs) so that correct runs spread less, or test it differently (a canonical "
            "architecture the judge predicts with)")
    return problems


def unseparated(runs: list[Run], summary: dict[str, dict]) -> list[str]:
    """Why each control that reaches its model's threshold on some seed is not separated."""
    problems = []
    for best in _best_control_runs(runs):
        stats = summary[best.model]
        threshold = stats["threshold"]
        if best.accuracy < threshold:
            continue
        gap = stats["accuracy_min"] - best.accuracy
        advice = (f"a margin below {gap:.4f} would separate them" if gap > 0 else
                  f"no margin can: the reference's worst seed ({stats['accuracy_min']:.4f}) is "
                  "not above it; make the budget or the test tell them apart")
        problems.append(
            f"negative control {best.control} reached {best.accuracy:.4f} (seed {best.seed}) "
            f"with {best.model}'s budget; the threshold {threshold:.3f} fails to separate it "
            f"by {best.accuracy - threshold:.4f} ({advice})")
    return problems


def _best_control_runs(runs: list[Run]) -> list[Run]:
    best: dict[tuple[str, str], Run] = {}
    for r in runs:
        key = (r.model, r.control)
        if r.control and (key not in best or r.accuracy > best[key].accuracy):
            best[key] = r
    return list(best.values())
