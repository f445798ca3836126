"""`grader ci`: one grading for a CI job, told the way students may see it.

The grading is `grader grade`'s, in a child process (as in a batch), so the
results file is the same. What it prints, and the Markdown summary it appends
to `$GITHUB_STEP_SUMMARY`, show the visible tests only: tests that are hidden,
or visible only after the due date or publication, are counted in the score
and never named or described. The judge's own output (it names every test)
goes to a log file beside the results, not to the job's log.

Students' text (their exception messages, say) is escaped in the Markdown
summary, and in the job's log it runs with GitHub's workflow commands stopped,
so no line of it can add an annotation such as the one that carries the points.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from grader import textsafe
from grader.assignment import Assignment, Results, Row, read_results
from grader.batch import grading
from grader.judge import report

REASON_CHARS = 100


def points_line(document: dict) -> str:
    """What GitHub Classroom's autograding reporter writes, and Classroom reads."""
    graded = read_results(document)
    return f"Points {graded.score:g}/{graded.max_score:g}"


def grade(assignment: Assignment, submission: Path, output: Path, device: str) -> dict:
    """Grade as `grader grade` does; the judge's output goes to `output` with suffix .log."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    finished = grading.run_grading(
        grading.grade_command(assignment.root, submission, output, device=device),
        grading.grade_env(()), output.with_suffix(".log"),
        grading.Options(device).timeout_for(assignment))
    return grading.collect(output, finished)


def _hidden_note(graded: Results) -> str:
    hidden = [row for row in graded.rows if row.hidden]
    if not hidden:
        return ""
    earned = sum(row.score for row in hidden)
    possible = sum(row.max_score for row in hidden)
    tests = "1 more test counts" if len(hidden) == 1 else f"{len(hidden)} more tests count"
    return f"{tests} towards the score ({earned:g}/{possible:g} points); not shown here."


def _public_note(public_only: bool) -> str:
    return ("Public tests only: the course staff grade with more tests, so this is not your "
            "final grade." if public_only else "")


def _reason(row: Row) -> str:
    if row.status == "passed":
        return "passed"
    first = next((line.strip() for line in row.output.splitlines() if line.strip()), "")
    if len(first) > REASON_CHARS:
        first = first[: REASON_CHARS - 3] + "..."
    return f"failed: {first}" if first else "failed"


def markdown(document: dict, title: str, public_only: bool) -> str:
    """The job summary: score, the visible tests with points and short reasons."""
    graded = read_results(document)
    lines = [f"## {textsafe.markdown(title)}: {graded.score:g}/{graded.max_score:g} points", ""]
    if _public_note(public_only):
        lines += [f"> {_public_note(public_only)}", ""]
    visible = [row for row in graded.rows if not row.hidden]
    if visible:
        lines += ["| test | points | result |", "|---|---:|---|"]
        lines += [f"| {textsafe.markdown(row.label)} | {row.score:g}/{row.max_score:g} | "
                  f"{textsafe.markdown(_reason(row))} |" for row in visible]
        lines.append("")
    if _hidden_note(graded):
        lines += [_hidden_note(graded), ""]
    if graded.output.strip():
        lines += [textsafe.markdown_block(graded.output.strip(), "text"), ""]
    return "\n".join(lines)


def log_lines(document: dict, public_only: bool) -> list[str]:
    """The same, as plain text for the job's log (before the points line)."""
    graded = read_results(document)
    visible = [row for row in graded.rows if not row.hidden]
    lines = report.table(visible) if visible else []
    return lines + [note for note in (_hidden_note(graded), graded.output.strip(),
                                      _public_note(public_only)) if note]


def publish(document: dict, title: str, public_only: bool) -> None:
    """Print the log lines and the points; append the summary where GitHub Actions reads it."""
    lines, last = log_lines(document, public_only), [points_line(document)]
    if os.environ.get("GITHUB_ACTIONS") == "true":  # the annotation Classroom's reporter makes
        lines = _commands_stopped(lines)
        last.append(f"::notice title=Autograding complete::{points_line(document)}")
    print("\n".join(lines + last))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(markdown(document, title, public_only) + "\n")


def _commands_stopped(lines: list[str]) -> list[str]:
    """`lines` between GitHub's stop-commands and its resume, with a token no one can guess."""
    token = secrets.token_hex(16)
    return [f"::stop-commands::{token}", *lines, f"::{token}::"]


def exit_code(document: dict, fail_below_full: bool) -> int:
    """0 whenever grading ran; with `fail_below_full`, 1 below full marks."""
    return 1 if fail_below_full and not read_results(document).full_marks else 0
