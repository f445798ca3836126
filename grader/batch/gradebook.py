"""What a batch tells the staff: gradebook.csv, per-test pass rates, accuracies, summary.md."""

from __future__ import annotations

import csv
import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from grader import textsafe
from grader.batch.run import GradedSubmission
from grader.judge import report

FIXED_COLUMNS = ["submission", "names", "emails", "sids", "total", "max_score", "problem"]


def test_labels(outcomes: list[GradedSubmission]) -> list[str]:
    """Every test any submission was graded on, by number (unnumbered ones last)."""
    numbers: dict[str, str | None] = {}
    for outcome in outcomes:
        numbers.update((row.label, row.number) for row in outcome.graded.rows)
    return sorted(numbers, key=lambda label: report.number_key(numbers[label]))


def write_csv(path: Path, outcomes: list[GradedSubmission]) -> None:
    """One row per submission: who, the total, then one column of points per test.

    Every cell is text a spreadsheet shows and never runs (`textsafe.csv_cell`):
    names and emails come from a class list that students filled in.
    """
    labels = test_labels(outcomes)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([textsafe.csv_cell(cell) for cell in FIXED_COLUMNS + labels])
        for outcome in outcomes:
            students = outcome.submission.students
            points = {row.label: row.score for row in outcome.graded.rows}
            writer.writerow(textsafe.csv_cell(cell) for cell in [
                outcome.submission.id, "; ".join(s.name for s in students),
                "; ".join(s.email for s in students), "; ".join(s.sid for s in students),
                f"{outcome.graded.score:g}", f"{outcome.graded.max_score:g}", outcome.problem,
                *(f"{points[label]:g}" if label in points else "" for label in labels)])


@dataclass
class PassRate:
    label: str
    passed: int
    graded: int

    @property
    def rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


def pass_rates(outcomes: list[GradedSubmission]) -> list[PassRate]:
    """Per test, how many graded submissions passed it; the most failed test first."""
    graded = [o for o in outcomes if not o.failed]
    rates = []
    for label in test_labels(graded):
        statuses = [row.status for o in graded for row in o.graded.rows if row.label == label]
        rates.append(PassRate(label, statuses.count("passed"), len(statuses)))
    return sorted(rates, key=lambda r: (r.rate, r.label))


@dataclass
class Accuracies:
    """Held-out accuracies one test recorded across the class, and its threshold."""

    test: str
    values: list[float] = field(default_factory=list)
    threshold: float | None = None


def accuracies(outdir: Path, outcomes: list[GradedSubmission]) -> list[Accuracies]:
    """What tests recorded with `record_property("accuracy", ...)` (and "threshold").

    Read from each grading's pytest-report.json (pytest-json-report's user_properties).
    """
    found: dict[str, Accuracies] = {}
    thresholds: dict[str, Counter] = {}
    for outcome in outcomes:
        for test, properties in _recorded(outdir / outcome.submission.id / "pytest-report.json"):
            if isinstance(properties.get("accuracy"), int | float):
                found.setdefault(test, Accuracies(test)).values.append(properties["accuracy"])
            if isinstance(properties.get("threshold"), int | float):
                thresholds.setdefault(test, Counter())[properties["threshold"]] += 1
    for test, entry in found.items():
        if test in thresholds:  # the one most gradings used (all do, on one device class)
            entry.threshold = thresholds[test].most_common(1)[0][0]
    return sorted(found.values(), key=lambda a: a.test)


def _recorded(report: Path) -> list[tuple[str, dict]]:
    try:
        tests = json.loads(report.read_text(encoding="utf-8")).get("tests", [])
    except (OSError, ValueError):
        return []
    return [(t["nodeid"].rsplit("::", 1)[-1],
             {k: v for entry in t.get("user_properties", []) for k, v in entry.items()})
            for t in tests if t.get("user_properties")]


def summary(assignment_name: str, outcomes: list[GradedSubmission], rates: list[PassRate],
            measured: list[Accuracies], pictures: list[Path]) -> str:
    """summary.md: the numbers a TA reads first, the pictures, and what needs a look."""
    graded = [o for o in outcomes if not o.failed]
    scores = [o.graded.score for o in graded]
    full = max((o.graded.max_score for o in graded), default=0)
    lines = [f"# {textsafe.markdown(assignment_name)}: {len(outcomes)} submissions", ""]
    if scores:
        lines.append(f"- graded: {len(graded)}; full marks ({full:g}): "
                     f"{sum(s >= full for s in scores)}; zero: {sum(s == 0 for s in scores)}")
        lines.append(f"- score: mean {statistics.mean(scores):.1f}, median "
                     f"{statistics.median(scores):g}, min {min(scores):g}, max {max(scores):g}")
    failed = [o for o in outcomes if o.failed]
    if failed:
        lines += [f"- **grader problems: {len(failed)}** (no score; see below)"]
    lines += [""] + [f"![{p.stem}]({p.name})" for p in pictures]
    if rates:
        lines += ["", "## Tests, most failed first", "", "| test | passed | rate |",
                  "|---|---:|---:|"]
        lines += [f"| {textsafe.markdown(r.label)} | {r.passed}/{r.graded} | {r.rate:.0%} |"
                  for r in rates]
    if measured:
        lines += ["", "## Recorded accuracies", "",
                  "| test | submissions | median | below threshold | threshold |",
                  "|---|---:|---:|---:|---:|"]
        for m in measured:
            below = "" if m.threshold is None else str(sum(v < m.threshold for v in m.values))
            threshold = "" if m.threshold is None else f"{m.threshold:.4g}"
            lines.append(f"| {textsafe.markdown(m.test)} | {len(m.values)} | "
                         f"{statistics.median(m.values):.4g} | {below} | {threshold} |")
    if failed:
        lines += ["", "## Grader problems", ""]
        lines.append("These submissions got no score: the grader itself failed on them. Their "
                     "grade.log says why; `grader batch --resume` grades them again.")
        lines.append("")
        lines += [f"- {textsafe.markdown_code(o.submission.id)}: {textsafe.markdown(o.problem)}"
                  for o in failed]
    return "\n".join(lines) + "\n"
