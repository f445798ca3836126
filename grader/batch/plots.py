"""Pictures of a batch for the staff: scores, pass rate per test, recorded accuracies.

Drawn with matplotlib's object API (no pyplot, no display needed).
"""

from __future__ import annotations

from pathlib import Path

from grader import textsafe
from grader.batch.gradebook import Accuracies, PassRate

WIDTH = 8.0  # inches
LABEL_CHARS = 60


def _figure(height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, height), layout="constrained")


def _short(label: str) -> str:
    """At most LABEL_CHARS, keeping a parametrized test's "[case]", which tells rows apart."""
    if len(label) <= LABEL_CHARS:
        return label
    case = label[label.rindex("["):] if label.endswith("]") and "[" in label else ""
    case = case if len(case) < LABEL_CHARS // 2 else ""
    return (label[: LABEL_CHARS - len(case) - 4] + "... " + case).rstrip()


def _label(text: str) -> str:
    """A tick label shown as written: one line, and `$` escaped (matplotlib would read
    "$...$" as mathematics, and fail the whole picture on one it cannot parse)."""
    return _short(textsafe.one_line(text)).replace("$", r"\$")


def scores(path: Path, totals: list[float], full: float) -> Path:
    """Histogram of total scores, with the mean marked."""
    from matplotlib.ticker import MaxNLocator

    figure = _figure(4.0)
    axes = figure.add_subplot()
    axes.hist(totals, bins=20, range=(0, full or 1), color="tab:blue", edgecolor="white")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if totals:
        mean = sum(totals) / len(totals)
        axes.axvline(mean, color="tab:orange", linestyle="--", label=f"mean {mean:.1f}")
        axes.legend()
    axes.set(xlabel=f"total score (of {full:g})", ylabel="submissions",
             title=f"Scores of {len(totals)} graded submissions")
    figure.savefig(path, dpi=100)
    return path


def pass_rates(path: Path, rates: list[PassRate]) -> Path:
    """One bar per test, the most failed test on top: what most students got wrong."""
    figure = _figure(1.2 + 0.28 * len(rates))
    axes = figure.add_subplot()
    shown = list(reversed(rates))  # barh draws bottom-up: put the worst on top
    bars = axes.barh([_label(r.label) for r in shown], [100 * r.rate for r in shown],
                     color=["tab:red" if r.rate < 0.5 else "tab:green" for r in shown])
    axes.bar_label(bars, labels=[f"{r.passed}/{r.graded}" for r in shown], padding=3,
                   fontsize=7)
    axes.set(xlim=(0, 110), xlabel="submissions that passed (%)",
             title="Pass rate per test, most failed first")
    axes.tick_params(axis="y", labelsize=7)
    figure.savefig(path, dpi=100)
    return path


def accuracies(path: Path, measured: list[Accuracies]) -> Path:
    """Each submission's recorded accuracy per test (a dot), the threshold as a red bar."""
    figure = _figure(1.2 + 0.6 * len(measured))
    axes = figure.add_subplot()
    label = "threshold"  # in the legend once
    for row, entry in enumerate(measured):
        spread = [row + 0.05 * (i % 7 - 3) for i in range(len(entry.values))]  # fewer overlaps
        axes.scatter(entry.values, spread, alpha=0.6, color="tab:blue", edgecolor="none")
        if entry.threshold is not None:
            axes.plot([entry.threshold] * 2, [row - 0.35, row + 0.35], color="tab:red",
                      linewidth=2, label=label)
            label = None
    axes.set_yticks(range(len(measured)), [_label(m.test) for m in measured], fontsize=8)
    axes.set(ylim=(-0.6, len(measured) - 0.4), xlabel="held-out accuracy",
             title="Training accuracies against the threshold")
    if label is None:
        axes.legend(loc="lower left")
    figure.savefig(path, dpi=100)
    return path
