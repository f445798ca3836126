"""`grader ci`: the job summary and log show visible tests only; points line; exit codes."""

import json

import pytest
from conftest import TINY, tiny_submission

from grader import cli
from grader.batch import ci as batch_ci


@pytest.fixture
def ci(tmp_path, monkeypatch, capsys):
    """Run `grader ci` on a tiny submission as a GitHub Actions step would."""
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")

    def grade(submission, *options):
        output = tmp_path / "ci" / "results.json"
        code = cli.main(["ci", str(TINY), str(submission), "-o", str(output), *options])
        return code, capsys.readouterr().out, summary.read_text(), json.loads(output.read_text())
    return grade


def test_summary_counts_hidden_tests_and_never_describes_them(ci, tmp_path):
    wrong = tiny_submission(tmp_path / "wrong", accuracy=0.3, mul_error=" + 1")
    code, log, summary, results = ci(wrong, "--fail-below-full")
    assert code == 1
    assert summary.startswith("## tiny: 1/5 points")
    assert "| 1.1 add() sums two numbers | 1/1 | passed |" in summary
    assert "| 2.1 The model reaches the accuracy threshold | 0/2 | failed: accuracy 30% " \
           "is below 50% |" in summary
    assert "1 more test counts towards the score (0/2 points)" in summary
    for shown in (summary, log):
        assert "SECRET" not in shown and "mul(" not in shown
    assert log.splitlines()[-2:] == ["Points 1/5",
                                     "::notice title=Autograding complete::Points 1/5"]
    hidden = [t for t in results["tests"] if t.get("visibility") == "hidden"]
    assert "SECRET-OUTPUT" in hidden[0]["output"]  # results.json itself is complete, for staff
    assert (tmp_path / "ci" / "results.log").is_file()  # the judge's output, beside it


def test_full_marks_pass_and_the_default_exit_code_ignores_the_score(ci, tmp_path):
    code, log, summary, _ = ci(tiny_submission(tmp_path / "good"), "--fail-below-full")
    assert code == 0 and "Points 5/5" in log and "(2/2 points)" in summary
    below_full = {"score": 1, "tests": [{"name": "a test", "score": 1, "max_score": 5}]}
    assert (batch_ci.exit_code(below_full, False), batch_ci.exit_code(below_full, True)) == (0, 1)
