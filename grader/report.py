"""The terminal summary: one line per test, then the score, worded honestly."""

from __future__ import annotations

from collections.abc import Callable

from grader.results import TestResult

REASON_WIDTH = 60


def _reason(row: TestResult) -> str:
    first = row.output.strip().splitlines()[0] if row.output.strip() else ""
    return first if len(first) <= REASON_WIDTH else first[: REASON_WIDTH - 3] + "..."


def table(rows: list[dict] | list[TestResult]) -> list[str]:
    """Rows of a results.json (dicts) or TestResults, as aligned text lines."""
    rows = [r if isinstance(r, TestResult) else TestResult(**{
        k: r.get(k) for k in ("name", "max_score", "score", "status", "output")}) for r in rows]
    width = min(max([len(r.name) for r in rows] + [4]), 70)
    lines = [f"{'test':<{width}}  {'points':>11}  {'status':<6}  reason"]
    for r in rows:
        name = r.name if len(r.name) <= width else r.name[: width - 3] + "..."
        points = f"{r.score:g}/{r.max_score:g}"
        lines.append(f"{name:<{width}}  {points:>11}  {r.status:<6}  "
                     f"{'' if r.status == 'passed' else _reason(r)}")
    return lines


def score_line(rows: list[TestResult], public_only: bool) -> str:
    earned = sum(r.score for r in rows)
    possible = sum(r.max_score for r in rows)
    hidden = [r for r in rows if r.visibility not in (None, "visible")]
    passed = sum(r.status == "passed" for r in rows)
    counts = f"{passed}/{len(rows)} tests passed"
    if public_only:
        return (f"Public tests: {earned:g}/{possible:g} points, {counts}. The grader also "
                "runs hidden tests, so this is not your final grade.")
    if hidden:
        return (f"Score: {earned:g}/{possible:g} points, {counts} "
                f"({len(hidden)} of them not visible to students before release).")
    return f"Score: {earned:g}/{possible:g} points, {counts}."


def print_summary(write: Callable[[str], None], state) -> None:
    rows = state.rows()
    public_only = any(a.config.get("assignment", {}).get("public_tests_only")
                      for a in state.assignments())
    write("")
    write("=" * 30 + " grading summary " + "=" * 30)
    for line in table(rows):
        write(line)
    for message in state.top_output(rows).splitlines():
        write(message)
    write(score_line(rows, public_only))
