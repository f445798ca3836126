"""Warm judges: one process per batch slot imports the judge once and forks a `grader grade`
for each submission; each grading is the one `grader grade` writes, a crash costs only its
own submission, and nothing passes from one grading to the next."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TINY, tiny_submission, without_timings

from grader.batch import grading, run, warm

PROBE = TINY.parent / "probe"  # one judge-side test that fails in a used judge process


@pytest.fixture(scope="module")
def one_judge(tmp_path_factory):
    """wrong, judge_killer and good, graded in this order with one slot; and how many warm
    judges that took."""
    root = tmp_path_factory.mktemp("warm")
    submissions = [tiny_submission(root / "class" / "wrong", accuracy=0.3, mul_error=" + 1"),
                   tiny_submission(root / "class" / "judge_killer", kill_judge=True),
                   tiny_submission(root / "class" / "good")]
    starts = []
    start = warm.WarmJudge._start
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(warm.WarmJudge, "_start", lambda judge: starts.append(start(judge)))
        outcomes = list(run.grade_many(TINY, submissions, root / "out", jobs=1))
    return root, {outcome.submission.id: outcome for outcome in outcomes}, len(starts)


def test_one_warm_judge_grades_every_submission_even_after_a_crash(one_judge):
    _, outcomes, judges = one_judge
    assert {name: outcome.state for name, outcome in outcomes.items()} == {
        "wrong": "graded", "judge_killer": "failed", "good": "graded"}
    assert list(outcomes) == ["wrong", "judge_killer", "good"]  # in the order they finished
    assert judges == 1


def test_a_grading_that_dies_still_gets_a_complete_results_json(one_judge, valid_results):
    root, outcomes, _ = one_judge
    killed = valid_results(json.loads((root / "out" / "judge_killer" / "results.json")
                                      .read_text()))
    assert killed["score"] == 0 and killed["tests"] == []
    assert killed["extra_data"]["grader_problem"] == "the grading process was killed by SIGKILL"
    assert outcomes["good"].document["score"] == 5  # graded after it, by the same judge


def test_each_grading_is_the_one_grader_grade_writes(one_judge, tmp_path):
    root, outcomes, _ = one_judge
    for name in ("wrong", "good"):
        cold = tmp_path / f"{name}.json"
        subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(TINY),
                        str(root / "class" / name), "-o", str(cold)], check=True,
                       capture_output=True, env={**os.environ, "PYTEST_ADDOPTS": ""})
        assert _comparable(outcomes[name].document) == _comparable(
            json.loads(cold.read_text())), name


def test_nothing_of_one_grading_reaches_the_next(tmp_path):
    """The probe sets a global of a module the warm judge imported, and an environment
    variable; the second grading must find neither."""
    submissions = [tiny_submission(tmp_path / name) for name in ("first", "second")]
    outcomes = list(run.grade_many(PROBE, submissions, tmp_path / "out", jobs=1))
    assert [(o.submission.id, o.document["score"]) for o in outcomes] == [
        ("first", 1), ("second", 1)], [o.document["tests"] for o in outcomes]


def test_a_lost_judge_costs_only_the_grading_in_flight(tmp_path):
    submission = tiny_submission(tmp_path / "submission")
    judge = warm.WarmJudge(PROBE, grading.grade_env((), {"PROBE_WAIT_S": "60"}))
    try:
        lost = judge.grade(_argv(submission, tmp_path / "lost.json"), tmp_path / "lost.log", ())
        os.kill(judge.process.pid, signal.SIGKILL)
        finished = lost.wait(timeout=120)
        assert finished.problem == "the warm judge ended (killed by SIGKILL)"
        assert not _alive(lost.pid)  # the grading it left behind was killed
        judge.env = grading.grade_env(())  # the next warm judge's gradings need not wait
        again = judge.grade(_argv(submission, tmp_path / "again.json"), tmp_path / "again.log",
                            ())
        assert again.wait(timeout=120).ok  # by a new warm judge
    finally:
        judge.close()
    assert json.loads((tmp_path / "again.json").read_text())["score"] == 1


def _comparable(document: dict) -> str:
    """Without timings, and without object addresses: pytest's message for a failed assert
    shows the repr of the objects in it, whose addresses differ between any two processes."""
    return re.sub(r" at 0x[0-9a-f]+", " at 0x...", json.dumps(without_timings(document)))


def _argv(submission: Path, results: Path) -> list[str]:
    return grading.grade_argv(PROBE, submission, results, device="cpu")


def _alive(pid: int) -> bool:
    """Still running 5 s from now: neither gone nor a zombie (no one may reap it here)."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        if state == "Z":
            return False
        time.sleep(0.1)
    return True
