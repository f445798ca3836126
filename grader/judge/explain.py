"""`grader grade --explain NAME`: per test, its number, name, points, visibility and what it checks.

For staff, so hidden tests are included. The tests are collected, never run:
no submission is needed. What a test checks is its docstring (the first line
is its name; the rest, when there is more, says how), and what its markers
add: the fixed training budget and accuracy thresholds of a `training` test,
the message shown instead of a hidden failure, leaderboard columns.
"""

from __future__ import annotations

import inspect
from operator import itemgetter
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.assignment import Assignment
from grader.assignment.thresholds import listed
from grader.judge import collection, progress, report
from grader.judge.session import Outcome


def entries(assignment: Assignment) -> list[dict]:
    """One dict per collected test: number, name, points, visibility, id, file, checks."""
    return [_entry(assignment, item, outcome)
            for item, outcome in collection.collected(assignment)]


def _entry(assignment: Assignment, item: pytest.Item, outcome: Outcome) -> dict:
    spec = outcome.spec
    return {"number": spec.number, "name": spec.name, "points": spec.weight,
            "visibility": spec.visibility or assignment.visibility,
            "id": collection.test_id(assignment, item.nodeid), "file": Path(item.path).name,
            "about_file": (inspect.getdoc(getattr(item, "module", None)) or "").split("\n")[0],
            "checks": _checks(assignment, item, outcome)}


def _checks(assignment: Assignment, item: pytest.Item, outcome: Outcome) -> list[str]:
    doc = inspect.getdoc(getattr(item, "obj", None)) or ""
    checks = [" ".join(doc.split("\n", 1)[1].split())] if "\n" in doc.strip() else []
    if item.get_closest_marker("training"):
        checks.append(_training(assignment, item))
    spec = outcome.spec
    if spec.hide_errors:
        checks.append(f"on failure, students see only: {spec.hide_errors}")
    if spec.leaderboard:
        checks.append(f"sets the leaderboard column {spec.leaderboard[0]!r} "
                      f"({spec.leaderboard[1]})")
    return checks


def _training(assignment: Assignment, item: pytest.Item) -> str:
    """`trains SimpleCNN with the fixed budget (100 steps, batch size 64); thresholds ...`."""
    model = progress.trained_model(item, assignment)
    budget = progress.budget(assignment, model)
    text = f"trains {model or 'a model'} with the fixed budget" + (f" ({budget})" if budget else "")
    thresholds = listed(assignment.settings.thresholds, model)
    return text + (f"; accuracy threshold {', '.join(thresholds)}" if thresholds else "")


def _file_title(assignment: Assignment, members: list[dict]) -> Text:
    public = set(assignment.settings.template.public_tests if assignment.settings.template
                 else ())
    files = dict.fromkeys((e["file"], e["about_file"]) for e in members)
    return Text("; ".join(f"{file} ({'public' if file in public else 'grader only'})"
                          + (f": {about}" if about else "") for file, about in files),
                style="bold")


def _test_cell(entry: dict) -> Text:
    cell = Text(entry["name"])
    cell.append(f"\n{entry['id']}", style="dim")
    for check in entry["checks"]:
        cell.append(f"\n{check}")
    return cell


def table(assignment: Assignment, found: list[dict]) -> Table:
    grid = Table(box=None, pad_edge=False, show_edge=False, show_lines=False)
    for name, options in (("#", {"no_wrap": True}), ("test", {"ratio": 1, "overflow": "fold"}),
                          ("points", {"justify": "right", "no_wrap": True}),
                          ("visibility", {"no_wrap": True})):
        grid.add_column(name, **options)
    for part, members in report.by_part(found, itemgetter("number")):
        points = sum(e["points"] for e in members)
        grid.add_row(Text(f"Part {part}" if part else "Other", style="bold"),
                     _file_title(assignment, members), Text(f"{points:g}", style="bold"), "")
        for i, entry in enumerate(members):
            grid.add_row(entry["number"] or "", _test_cell(entry), f"{entry['points']:g}",
                         entry["visibility"], end_section=i == len(members) - 1)
    return grid


def lines(assignment: Assignment, console: Console | None = None) -> list[str]:
    """The explanation as printable lines (coloured on a terminal)."""
    console = console or Console(highlight=False)
    found = entries(assignment)
    counts = {}
    for entry in found:
        counts[entry["visibility"]] = counts.get(entry["visibility"], 0) + 1
    limits = assignment.settings.grading
    head = [f"{assignment.name}: {assignment.title}",
            f"{len(found)} tests, {sum(e['points'] for e in found):g} points ("
            + ", ".join(f"{n} {v}" for v, n in counts.items()) + f"); time budget "
            f"{limits.time_budget_s:g} s, {limits.call_timeout_s:g} s per call into student code",
            ""]
    return head + report.render(console, table(assignment, found))
