"""The terminal summary: by part, in number order, full names, colour only on a terminal."""

import copy
import dataclasses
import re

from rich.console import Console

from grader import cli
from grader.assignment import Row
from grader.judge import report


def row(number, name="a test", status="passed", score=1, max_score=1, output=""):
    return Row(name, score, max_score, status, output, number, "visible")


ROWS = [row("2.1"), row("1.10", "ten"), row(None, "unnumbered"), row("10.1"), row("1.9", "nine"),
        row("1.2.1", "failing", "failed", 0, 2, "add(2, 3) returned 6; expected 5\n"
            "Picture: pictures/1.2.1-loss.png")]


def numbers_in_order(lines):
    return [m[1] for line in lines if (m := re.match(r"(\d+(?:\.\d+)*)\s", line))]


def test_numbers_sort_numerically_and_unnumbered_tests_come_last():
    assert sorted(["1.10", "1.9", "10.1", "2.1", "1.2.1"], key=report.number_key) == [
        "1.2.1", "1.9", "1.10", "2.1", "10.1"]
    grouped = report.by_part(ROWS)
    assert [part for part, _ in grouped] == ["1", "2", "10", None]
    assert [r.name for r in grouped[-1][1]] == ["unnumbered"]


def test_the_table_groups_parts_with_their_titles_and_points():
    lines = report.table(ROWS, {"1": "test_models.py", "2": "test_data.py"})
    assert numbers_in_order(lines) == ["1.2.1", "1.9", "1.10", "2.1", "10.1"]
    headers = [line.split() for line in lines if line.startswith("Part")]
    assert headers == [["Part", "1", "test_models.py", "2/4"], ["Part", "2", "test_data.py", "1/1"],
                       ["Part", "10", "1/1"]]
    text = "\n".join(lines)
    assert "Other tests" in text and text.index("Part 10") < text.index("unnumbered")
    assert "→ add(2, 3) returned 6; expected 5" in text  # the reason, under the name
    assert "Picture: pictures/1.2.1-loss.png" in text


def test_long_names_wrap_and_are_never_cut():
    name = " ".join(f"word{i}" for i in range(60))
    lines = report.table([row("1.1", name)], console=Console(width=60, color_system=None))
    assert max(len(line) for line in lines) <= 60
    text = "\n".join(lines)
    assert "..." not in text and "…" not in text
    assert re.search(r"\s+".join(name.split()), re.sub(r"\s+1/1\s+passed", "", text))


def test_colours_on_a_terminal_plain_text_elsewhere(monkeypatch):
    document = {"score": 5, "tests": [dataclasses.asdict(r) for r in ROWS],
                "output": "Missing from your submission: data.py."}
    before = copy.deepcopy(document)
    plain = report.summary(document)  # pytest captures stdout: not a terminal
    assert not any("\x1b" in line for line in plain)
    assert plain[-1] == report.score_line(ROWS, False)
    assert "Missing from your submission: data.py." in plain
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = "\n".join(report.summary(document))
    assert "\x1b[" in coloured and re.search(r"\x1b\[[0-9;]*32m\s*passed", coloured)
    assert re.search(r"\x1b\[[0-9;]*31m\s*failed", coloured)
    assert document == before  # the results document is never touched


def test_grading_prints_the_summary_by_part(tmp_path, fixtures_dir, capsys):
    cli.main(["grade", str(fixtures_dir / "example"), str(fixtures_dir / "submissions/good"),
              "-o", str(tmp_path / "results.json"), "--no-sandbox", "--device", "cpu"])
    lines = capsys.readouterr().out.splitlines()
    numbers = numbers_in_order(lines[lines.index(next(x for x in lines if "grading summary" in x)):])
    assert numbers == sorted(numbers, key=report.number_key) and "1.3.2" in numbers
    assert any(re.match(r"Part 1\s+test_markers\.py\s+\d", line) for line in lines)
