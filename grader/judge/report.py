"""The terminal summary of a results document: one line per test, then the score, worded honestly.

`pytest student_template/` and `grader grade` both print it from the same
document the plugin writes to results.json.
"""

from __future__ import annotations

REASON_WIDTH = 60


def _reason(row: dict) -> str:
    first = row["output"].strip().splitlines()[0] if row["output"].strip() else ""
    return first if len(first) <= REASON_WIDTH else first[: REASON_WIDTH - 3] + "..."


def table(rows: list[dict]) -> list[str]:
    """Test rows of a results document as aligned text lines."""
    width = min(max([len(r["name"]) for r in rows] + [4]), 70)
    lines = [f"{'test':<{width}}  {'points':>11}  {'status':<6}  reason"]
    for r in rows:
        name = r["name"] if len(r["name"]) <= width else r["name"][: width - 3] + "..."
        points = f"{r['score']:g}/{r['max_score']:g}"
        lines.append(f"{name:<{width}}  {points:>11}  {r['status']:<6}  "
                     f"{'' if r['status'] == 'passed' else _reason(r)}")
    return lines


def score_line(rows: list[dict], public_only: bool) -> str:
    earned = sum(r["score"] for r in rows)
    possible = sum(r["max_score"] for r in rows)
    hidden = [r for r in rows if r.get("visibility") not in (None, "visible")]
    passed = sum(r["status"] == "passed" for r in rows)
    counts = f"{passed}/{len(rows)} tests passed"
    if public_only:
        return (f"Public tests: {earned:g}/{possible:g} points, {counts}. The grader also "
                "runs hidden tests, so this is not your final grade.")
    if hidden:
        return (f"Score: {earned:g}/{possible:g} points, {counts} "
                f"({len(hidden)} of them not visible to students before release).")
    return f"Score: {earned:g}/{possible:g} points, {counts}."


def summary(document: dict, *, public_only: bool = False) -> list[str]:
    """The whole summary: the table, the run's messages, the score line."""
    rows = document["tests"]
    return ["", "=" * 30 + " grading summary " + "=" * 30, *table(rows),
            *document["output"].splitlines(), score_line(rows, public_only)]
