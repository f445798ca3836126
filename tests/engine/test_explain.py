"""`grader grade --explain`: what every test checks, hidden ones included, without a submission."""

from pathlib import Path

import pytest

from grader import cli
from grader.assignment import loading
from grader.judge import explain

ROOT = Path(__file__).parents[2]


def test_explain_lists_every_test_with_points_and_visibility(fixtures_dir, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich's width off a terminal: no wrapping here
    assert cli.main(["grade", "--explain", str(fixtures_dir / "example")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("example: Engine example: calc\n16 tests, 23 points (")
    assert "3.1     add() with negative numbers" in printed
    hidden = next(line for line in printed.splitlines() if line.startswith("3.1 "))
    assert hidden.split()[-2:] == ["2", "hidden"]
    assert "test_markers.py::test_hidden_add_negative" in printed
    assert ("on failure, students see only: The model check failed; details are released "
            "after the due date.") in printed
    assert "Part 1  test_markers.py (grader only): Tests that use the grader's pytest markers" \
           in printed


def test_grade_without_a_submission_needs_explain(fixtures_dir, capsys):
    assert cli.main(["grade", str(fixtures_dir / "example")]) == 2
    assert "name the submission to grade (a folder or a zip), or pass --explain" in \
        capsys.readouterr().err


@pytest.mark.slow
def test_training_tests_say_their_budget_and_thresholds():
    entries = explain.entries(loading.load(ROOT / "assignments/mnist_nets"))
    cnn = next(e for e in entries if e["number"] == "6.1.3")
    assert cnn["checks"] == [("trains SimpleCNN with the fixed budget (100 steps, batch size "
                              "64); accuracy threshold 0.925 (cpu), 0.925 (cuda)")]
    assert (cnn["points"], cnn["visibility"]) == (4, "visible")
    assert {e["visibility"] for e in entries} == {"visible", "after_due_date", "hidden"}
