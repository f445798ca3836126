"""A busy machine fails no one: every reference and fairness-corpus member
(`test_submissions/valid_*`) gets full marks while processes that compute without end
oversubscribe every CPU (4 on a 2-CPU machine).

Call limits count CPU time, so the slower calls stay within them, and the reference
must fit the run's wall-clock time budget (Gradescope's limit) even so. A timing whose
reference the load disturbed is marked for a regrade, which is allowed here and is no
failure: such a row must say so, and every other row must have its points. (Tests the
budget left undone on a busy machine are marked for a regrade too, so no student loses
points for them; here they fail the test: the budget leaves too little room.) The
grading runs through `bench/bench_busy.py`, which reports the same measurements to people.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.assignment import loading
from grader.authoring.selftest import stage_case

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "bench_busy.py"
ASSIGNMENTS = ("mnist_nets", "cifar_resnet", "scene_recognition")
CASES = [(name, ROOT / "solutions" / name) for name in ASSIGNMENTS] + [
    (name, corpus) for name in ASSIGNMENTS
    for corpus in sorted((ROOT / "assignments" / name / "test_submissions").glob("valid_*"))]


@pytest.mark.slow
@pytest.mark.parametrize(("assignment", "submission"), CASES,
                         ids=[f"{a}-{s.name if s.name != a else 'reference'}"
                              for a, s in CASES])
def test_full_marks_with_every_cpu_oversubscribed(tmp_path, assignment, submission):
    if submission.parent.name == "test_submissions":  # as selftest grades it: see stage_case
        submission = stage_case(loading.load(ROOT / "assignments" / assignment), submission,
                                ROOT / "solutions" / assignment, tmp_path / submission.name)
    measured = tmp_path / "busy.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), assignment, "--submission", str(submission),
         "--modes", "busy", "--json", str(measured)],
        capture_output=True, text=True, timeout=3600, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    [row] = json.loads(measured.read_text())
    assert "error" not in row, row["error"]
    assert row["lost"] == {}, done.stdout
    for output in row["regrade_outputs"]:  # a disturbed timing, never a failure in disguise
        assert "too busy to time this test fairly" in output, output
    assert row["heaviest_call_cpu_s"] < row["call_timeout_s"]
