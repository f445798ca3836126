"""What a busy machine spoils is a regrade, never the student's silent zero: a timing
it disturbed, a run whose time budget it used up.

The assignment here is written into a temporary folder: one timing test whose
reference is a stand-in with times of our choosing (steady, or jumping between
fast and slow calls as a machine whose load comes and goes makes them), one
plain test beside it, and the example's good submission.
"""

import shutil
import time
from pathlib import Path

import pytest

from grader.assignment import loading
from grader.judge import results, runner, session
from grader.toolkit import timing

GOOD = Path(__file__).parents[1] / "fixtures" / "submissions" / "good"
TESTS = '''
import time

import pytest

from grader.toolkit import timing

JUMPY = {jumpy}


@pytest.mark.timing
@pytest.mark.weight(3)
@pytest.mark.number("1.1")
@pytest.mark.visibility("hidden")
def test_add_speed(submission):
    """add() takes at most 3x the stand-in reference's time"""
    calls = iter(range(10**6))

    def reference(x):  # with JUMPY, every other call is 20x slower: a busy machine
        time.sleep(0.6 if JUMPY and next(calls) % 2 else 0.03)

    def student(x):
        time.sleep(0.03)
        assert submission.calc.add(x, 1) == x + 1

    result = timing.compare(student, reference, lambda i: (i,), warmup=0, repeats=4,
                            attempts=2)
    timing.check_quiet(result)
    assert result.ratio <= 3, f"add() took {{result.ratio:.1f}}x the reference's time"


@pytest.mark.weight(1)
@pytest.mark.number("1.2")
def test_add(submission):
    """add() sums two numbers"""
    assert submission.calc.add(2, 3) == 5
'''


def grade(folder: Path, *, jumpy: bool, valid_results, name: str = "", args=()) -> dict:
    name = name or ("jumpy" if jumpy else "steady")  # a module of its own: pytest keeps them
    root = folder / name
    root.mkdir()
    (root / "assignment.toml").write_text(
        f'[assignment]\nname = "{name}"\ntitle = "{name}"\n\n[submission]\n'
        'files = ["calc.py"]\n')
    (root / "test_speed.py").write_text(TESTS.format(jumpy=jumpy))
    submission = shutil.copytree(GOOD, folder / "submission")
    return valid_results(runner.grade(loading.load(root), submission, folder / "results.json",
                                      device="cpu", sandbox=False, extra_args=args))


def row(document: dict, number: str) -> dict:
    return next(t for t in document["tests"] if t["number"] == number)


def test_a_disturbed_timing_marks_the_grading_for_a_regrade(tmp_path, valid_results, capsys):
    document = grade(tmp_path, jumpy=True, valid_results=valid_results)
    timed = row(document, "1.1")
    assert (timed["score"], timed["status"]) == (0, "failed")
    assert timed["extra_data"]["regrade"] is True
    assert timed["output"] == ("Not graded yet: the grading machine was too busy to time this "
                               f"test fairly.\n\n{session.REGRADE_ROW}")
    assert (row(document, "1.2")["score"], row(document, "1.2")["status"]) == (1, "passed")
    assert "regrade" not in row(document, "1.2")["extra_data"]
    assert "this grading is marked for a regrade" in document["output"]
    assert document["extra_data"]["regrade"] == ["1.1"]
    assert results.needs_regrade(document)
    log = capsys.readouterr().out
    assert "REGRADE: test 1.1 could not be graded fairly" in log
    assert "in each of 2 measurements, the last of 8 rounds" in log  # measured again, longer


def test_a_steady_timing_is_graded_as_usual(tmp_path, valid_results):
    document = grade(tmp_path, jumpy=False, valid_results=valid_results)
    assert [(t["number"], t["score"], t["status"]) for t in document["tests"]] == [
        ("1.1", 3, "passed"), ("1.2", 1, "passed")]
    assert document["extra_data"]["regrade"] == []
    assert "regrade" not in document["output"]
    assert not results.needs_regrade(document)


@pytest.mark.parametrize(("waited", "busy"), [(3.0, True), (0.2, False)])
def test_a_time_budget_spent_on_a_busy_machine_is_a_regrade(tmp_path, valid_results,
                                                            monkeypatch, waited, busy):
    """The judge ran 1 s and waited `waited` s for a CPU: busy when it waited the more."""
    readings = iter([(0.0, 0.0)])  # the run's start
    monkeypatch.setattr(session, "_judge_cpu", lambda: next(readings, (1.0, waited)))
    document = grade(tmp_path, jumpy=False, valid_results=valid_results, name=f"budget{busy}",
                     args=("--grader-time-budget", "0.001"))
    assert [(t["number"], t["score"]) for t in document["tests"]] == [("1.1", 0), ("1.2", 0)]
    for test in document["tests"]:
        assert test["output"].startswith("Not run: the time budget of the grading run")
        assert ("too busy to finish the run in time" in test["output"]) is busy
        assert test["extra_data"].get("regrade", False) is busy
    assert document["extra_data"]["regrade"] == (["1.1", "1.2"] if busy else [])
    assert results.needs_regrade(document) is busy


@pytest.mark.parametrize("document", [
    {}, {"extra_data": {}}, {"extra_data": {"regrade": []}},
    results.failure_document("The grader could not run the tests."),
])
def test_needs_regrade_only_with_tests_listed(document):
    assert not results.needs_regrade(document)


def test_the_odd_slow_call_does_not_disturb_a_timing():
    """One reference call in seven slowed by a neighbour: the median ignores it, and so
    does the spread (upper to lower quartile)."""
    calls = iter(range(10**6))

    def reference(_):
        time.sleep(0.3 if next(calls) % 7 == 3 else 0.015)

    result = timing.compare(lambda _: time.sleep(0.015), reference, lambda i: (i,), warmup=0,
                            repeats=7)
    assert not result.disturbed and result.attempts == 1, result
    timing.check_quiet(result)
