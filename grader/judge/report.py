"""The terminal summary of a results document: tests by part, in number order, then the score.

`pytest student_template/` and `grader grade` both print it (the plugin's
terminal summary) from the document the plugin writes to results.json. It is
drawn with rich: coloured on a terminal, plain text anywhere else (a log, a
pipe, Gradescope's stdout); the document itself is never changed. Every text
from the document goes into a `Text`, never a markup string, so a student's
"[bold red]" or "[link=...]" shows as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from operator import attrgetter
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.assignment import Row, read_results

STATUS_STYLE = {"passed": "green", "failed": "bold red"}
PICTURE = "Picture: "  # how a test's output names a picture it drew (session.Outcome.row)


def number_key(number: str | None) -> tuple:
    """Sort key of a Gradescope test number: "1.10" after "1.9"; tests without one last."""
    if not number:
        return (1,)
    return (0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in number.split(".")))


def part_of(number: str | None) -> str | None:
    """The part of the assignment a test belongs to: its number's first component."""
    return number.split(".")[0] if number else None


def part_titles(node_ids: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Each part's test files, for the summary: {"1": "test_models.py"}, from the run's
    (node id, test number) pairs in collection order."""
    files: dict[str, dict[str, None]] = {}
    for node_id, number in node_ids:
        part = part_of(number)
        if part:
            files.setdefault(part, {})[Path(node_id.split("::")[0]).name] = None
    return {part: ", ".join(names) for part, names in files.items()}


def by_part(rows: Sequence, number: Callable = attrgetter("number")
            ) -> list[tuple[str | None, list]]:
    """Rows (a test's number read with ``number``) in number order, grouped by part; rows
    without a number come last, as given."""
    ordered = sorted(rows, key=lambda r: number_key(number(r)))
    return [(part, list(members))
            for part, members in groupby(ordered, key=lambda r: part_of(number(r)))]


def _number(points: float) -> str:
    """Points as a person writes them: 2, 1.5, 0.57 (split weights give long fractions)."""
    return f"{points:.2f}".rstrip("0").rstrip(".")


def _points(rows: Sequence[Row]) -> str:
    return f"{_number(sum(r.score for r in rows))}/{_number(sum(r.max_score for r in rows))}"


def _part_title(part: str | None, parts: dict[str, str]) -> Text:
    if part is None:
        return Text("Other tests", style="bold")
    return Text(parts.get(part, ""), style="bold")


def _test_cell(row: Row) -> Text:
    """The full name; below it, for a failed test, the first line of its reason; pictures."""
    cell = Text(row.name)
    lines = row.output.strip().splitlines()
    if row.status != "passed" and lines and not lines[0].startswith(PICTURE):
        cell.append("\n→ " + lines[0], style="red")
    for line in lines:
        if line.startswith(PICTURE):
            cell.append("\n" + line, style="cyan")
    return cell


def _table(rows: Sequence[Row], parts: dict[str, str]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("#", no_wrap=True)
    table.add_column("test", ratio=1, overflow="fold")
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("result", no_wrap=True)
    for part, members in by_part(rows):
        table.add_row(Text(f"Part {part}" if part else "", style="bold"),
                      _part_title(part, parts), Text(_points(members), style="bold"), "")
        for i, row in enumerate(members):
            table.add_row(Text(row.number or ""), _test_cell(row),
                          f"{_number(row.score)}/{_number(row.max_score)}",
                          Text(row.status, style=STATUS_STYLE.get(row.status, "")),
                          end_section=i == len(members) - 1)
    return table


def render(console: Console, renderable, **options) -> list[str]:
    """What `console` would print, as lines (with colour codes only if it is a terminal)."""
    with console.capture() as captured:
        console.print(renderable, **options)
    return [line.rstrip() for line in captured.get().splitlines()]


def table(rows: Sequence[Row], parts: dict[str, str] | None = None,
          console: Console | None = None) -> list[str]:
    """Test rows of a results document grouped by part, in number order, names never cut.

    `parts` titles each part ("1" -> "test_models.py"); `console` defaults to a
    plain, 80-column one (for logs such as `grader ci`'s).
    """
    console = console or Console(width=80, color_system=None, highlight=False)
    return render(console, _table(rows, parts or {}))


def score_line(rows: Sequence[Row], public_only: bool) -> str:
    earned = sum(r.score for r in rows)
    possible = sum(r.max_score for r in rows)
    hidden = [r for r in rows if r.hidden]
    passed = sum(r.status == "passed" for r in rows)
    counts = f"{passed}/{len(rows)} tests passed"
    if public_only:
        return (f"Public tests: {_number(earned)}/{_number(possible)} points, {counts}. The grader also "
                "runs hidden tests, so this is not your final grade.")
    if hidden:
        return (f"Score: {_number(earned)}/{_number(possible)} points, {counts} "
                f"({len(hidden)} of them not visible to students before release).")
    return f"Score: {_number(earned)}/{_number(possible)} points, {counts}."


def summary(document: dict, *, public_only: bool = False,
            parts: dict[str, str] | None = None) -> list[str]:
    """The whole summary: the table, the run's messages, the score line.

    Coloured and as wide as the terminal when stdout is one (rich's detection:
    NO_COLOR and FORCE_COLOR are honoured), else plain 80-column text.
    """
    graded = read_results(document)
    rows = graded.rows
    console = Console(highlight=False)
    lines = ["", "=" * 30 + " grading summary " + "=" * 30]
    if rows:
        lines += table(rows, parts, console)
    lines += graded.output.splitlines()
    return lines + render(console, Text(score_line(rows, public_only), style="bold"),
                          soft_wrap=True)
