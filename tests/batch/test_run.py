"""`grader batch` on the tiny assignment: gradings as `grader grade` writes them, failures
kept to their own rows, resume, the gradebook and pictures."""

import csv
import dataclasses
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import TINY, tiny_submission, without_timings

from grader import cli
from grader.batch import run
from grader.batch.grading import Finished
from grader.batch.sources import Submission

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """good and judge_killer as folders, wrong as a zip; graded two at a time by the CLI."""
    root = tmp_path_factory.mktemp("tiny")
    tiny_submission(root / "class" / "good")
    tiny_submission(root / "class" / "judge_killer", kill_judge=True)
    wrong = tiny_submission(root / "wrong", accuracy=0.3, mul_error=" + 1")
    with zipfile.ZipFile(root / "class" / "wrong.zip", "w") as archive:
        archive.write(wrong / "calc.py", "wrong/calc.py")
    code = cli.main(["batch", str(TINY), str(root / "class"), "-o", str(root / "out"),
                     "--jobs", "2"])
    return root, code


def results_of(out, name):
    return json.loads((out / name / "results.json").read_text())


def test_one_failing_judge_fails_only_its_own_row(batch, valid_results):
    root, code = batch
    out = root / "out"
    assert code == 1  # a grader problem: the exit status says so
    scores = {name: valid_results(results_of(out, name))["score"]
              for name in ("good", "wrong", "judge_killer")}
    assert scores == {"good": 5, "wrong": 1, "judge_killer": 0}
    killed = results_of(out, "judge_killer")
    assert killed["tests"] == []
    assert "could not finish grading" in killed["output"]
    assert "SIGKILL" in killed["extra_data"]["grader_problem"]
    assert {p.parent.name for p in out.glob("*/grading.json")} == {"good", "wrong"}


def test_each_results_json_is_the_one_grader_grade_writes(batch, tmp_path):
    root, _ = batch
    own = tmp_path / "results.json"
    subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(TINY),
                    str(root / "class" / "good"), "-o", str(own)], check=True,
                   capture_output=True, env={**os.environ, "PYTEST_ADDOPTS": ""})
    batched = results_of(root / "out", "good")
    assert without_timings(batched) == without_timings(json.loads(own.read_text()))


def test_gradebook_rows_and_pictures(batch):
    out = batch[0] / "out"
    with open(out / "gradebook.csv", newline="") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    assert list(rows) == ["good", "judge_killer", "wrong"]
    assert [rows[n]["total"] for n in rows] == ["5", "0", "1"]
    assert rows["wrong"]["1.2 SECRET-NAME: mul() multiplies"] == "0"  # staff see hidden tests
    assert rows["good"]["2.1 The model reaches the accuracy threshold"] == "2"
    assert "SIGKILL" in rows["judge_killer"]["problem"]
    for picture in ("scores.png", "pass_rates.png", "accuracies.png"):
        assert (out / picture).read_bytes().startswith(PNG), picture
    summary = (out / "summary.md").read_text()
    rates = summary.split("## Tests, most failed first")[1]
    assert rates.index("mul() multiplies") < rates.index("add() sums")  # most failed first
    assert "| test_accuracy | 2 | 0.6 | 1 | 0.5 |" in summary  # recorded accuracies
    assert "`judge_killer`" in summary.split("## Grader problems")[1]


def test_resume_grades_only_what_is_missing_or_changed(batch, tmp_path):
    root, _ = batch
    shutil.copytree(root / "class", tmp_path / "class")
    shutil.copytree(root / "out", tmp_path / "out")
    kept = (tmp_path / "out" / "good" / "results.json").stat().st_mtime_ns
    states = {o.submission.id: o.state for o in run.grade_many(
        TINY, [Submission(p.stem, p) for p in (tmp_path / "class").iterdir()],
        tmp_path / "out", jobs=2, resume=True)}
    assert states == {"good": "resumed", "wrong": "resumed", "judge_killer": "failed"}
    assert (tmp_path / "out" / "good" / "results.json").stat().st_mtime_ns == kept
    with open(tmp_path / "class" / "good" / "calc.py", "a") as f:
        f.write("# changed after grading\n")
    again = {o.submission.id: o.state for o in run.grade_many(
        TINY, [Submission("good", tmp_path / "class" / "good")], tmp_path / "out",
        resume=True)}
    assert again == {"good": "graded"}


def test_an_output_folder_with_gradings_needs_resume(batch, capsys):
    root, _ = batch
    assert cli.main(["batch", str(TINY), str(root / "class"), "-o", str(root / "out")]) == 2
    assert "--resume" in capsys.readouterr().err


SLEEPER = "3599.7071"  # a sleep this long marks the process the hanging submission starts


def test_a_grading_that_overruns_is_stopped_with_its_workers(tmp_path, valid_results):
    hangs = tiny_submission(tmp_path / "hangs", add="import subprocess; subprocess.Popen("
                            f"['sleep', '{SLEEPER}']); time.sleep(3600)")
    seen, done = threading.Event(), threading.Event()
    watcher = threading.Thread(target=_watch, args=(seen, done))
    watcher.start()
    try:
        [outcome] = run.grade_many(TINY, [hangs], tmp_path / "out", timeout_s=30)
    finally:
        done.set()
        watcher.join()
    assert outcome.failed and "still running after 30 s" in outcome.problem
    assert valid_results(results_of(tmp_path / "out", "hangs"))["score"] == 0
    assert not (tmp_path / "out" / "hangs" / "grading.json").exists()
    assert seen.is_set(), "the hanging submission never started its sleeper"
    assert not _running(SLEEPER)  # the worker, in a session of its own, was killed too


def _watch(seen: threading.Event, done: threading.Event) -> None:
    while not done.wait(0.5):
        if _running(SLEEPER):
            seen.set()


def _running(argument: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if argument.encode() in cmdline.read_bytes().split(b"\0"):
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@dataclass
class Scripted:
    """A stand-in scheduler, all the batch sees of one being the Scheduler interface: it
    ends its jobs in reverse order, each with a results.json scoring the pass it was graded
    in. A submission in `disturbed` comes out marked for a regrade that many more times;
    one in `lost` ends with a grader problem. `passes` records each run's submissions and
    slots; `closed`, the gradings still running when a run was stopped."""

    slots: int
    disturbed: dict[str, int] = field(default_factory=dict)
    lost: frozenset[str] = frozenset()
    passes: list = field(default_factory=list)
    closed: list = field(default_factory=list)

    def run(self, jobs):
        self.passes.append(([job.submission.id for job in jobs], self.slots))
        running = list(reversed(jobs))
        try:
            while running:
                job = running.pop(0)
                yield job, self._grade(job)
        finally:
            if running:
                self.closed.append([job.submission.id for job in running])

    def alone(self):
        return dataclasses.replace(self, slots=1)

    def _grade(self, job):
        name = job.submission.id
        if name in self.lost:
            return Finished(None, 0.1, "its node went away")
        marked = self.disturbed.get(name, 0) > 0
        self.disturbed[name] = self.disturbed.get(name, 0) - 1
        run.results.write_atomic(job.results, {"score": len(self.passes), "tests": [],
                                               "extra_data": {"regrade": ["1.1"]} if marked
                                               else {}})
        return Finished(0, 0.1)


def scripted(monkeypatch, **script) -> Scripted:
    """grade_many's scheduler, from now on: a Scripted one with the batch's `jobs` slots."""
    made = []

    def scheduler_for(assignment, options, jobs, cluster):
        made.append(Scripted(jobs, **script))
        return made[-1]

    monkeypatch.setattr(run, "scheduler_for", scheduler_for)
    return made


def test_the_batch_takes_gradings_in_the_order_its_scheduler_ends_them(tmp_path, monkeypatch):
    """Reverse order, and one grading lost by its scheduler: each outcome comes as its
    grading ends, the lost one as a grader problem in its own row, and only the finished
    ones are marked done (so resume grades the lost one again)."""
    made = scripted(monkeypatch, lost=frozenset({"b"}))
    class_ = [tiny_submission(tmp_path / "class" / name) for name in "abc"]
    outcomes = list(run.grade_many(TINY, class_, tmp_path / "out", jobs=3))
    assert [(o.submission.id, o.state) for o in outcomes] == [
        ("c", "graded"), ("b", "failed"), ("a", "graded")]
    assert made[0].passes == [(["a", "b", "c"], 3)]
    assert "its node went away" in outcomes[1].problem
    assert "its node went away" in results_of(tmp_path / "out", "b")["output"]
    assert {p.parent.name for p in (tmp_path / "out").glob("*/grading.json")} == {"a", "c"}
    again = run.grade_many(TINY, class_, tmp_path / "out", jobs=3, resume=True)
    assert {o.submission.id: o.state for o in again} == {
        "a": "resumed", "b": "failed", "c": "resumed"}
    assert made[1].passes == [(["b"], 3)]


def test_stopping_the_batch_early_stops_its_scheduler(tmp_path, monkeypatch):
    made = scripted(monkeypatch)
    class_ = [tiny_submission(tmp_path / "class" / name) for name in "abc"]
    batch = run.grade_many(TINY, class_, tmp_path / "out", jobs=3)
    assert next(batch).submission.id == "c"
    batch.close()
    assert made[0].closed == [["b", "a"]]  # the gradings still running were stopped


def test_a_grading_marked_for_a_regrade_is_graded_again_alone_at_the_end(
        tmp_path, monkeypatch, caplog):
    """`slow` is disturbed on its first grading (as a busy machine disturbs a timing): its
    outcome comes last, from a second grading run on its own; `quick` is graded once."""
    made = scripted(monkeypatch, disturbed={"slow": 1})
    class_ = [tiny_submission(tmp_path / "class" / name) for name in ("slow", "quick")]
    with caplog.at_level(logging.INFO, logger="grader.batch"):
        outcomes = list(run.grade_many(TINY, class_, tmp_path / "out", jobs=2))
    assert made[0].passes == [(["slow", "quick"], 2), (["slow"], 1)]
    assert [(o.submission.id, o.document["score"]) for o in outcomes] == [("quick", 1),
                                                                         ("slow", 2)]
    assert "1 grading(s) marked for a regrade" in caplog.text
    assert not run.results.needs_regrade(results_of(tmp_path / "out", "slow"))


def test_a_grading_that_stays_marked_is_kept_and_resume_grades_it_again(tmp_path, monkeypatch):
    made = scripted(monkeypatch, disturbed={"slow": 99})
    slow = [tiny_submission(tmp_path / "class" / "slow")]
    [still] = run.grade_many(TINY, slow, tmp_path / "out", jobs=2)
    assert run.results.needs_regrade(still.document) and still.state == "graded"
    assert made[0].passes == [(["slow"], 2), (["slow"], 1)]
    [again] = run.grade_many(TINY, slow, tmp_path / "out", resume=True)
    assert again.state == "graded"  # not "resumed": a marked grading is never kept


def test_a_submission_graded_with_pytest_options_of_its_own(tmp_path):
    """`own_args` (how `grader mutate` chooses each mutant's tests) adds to the batch's
    options for one submission only, and a resumed batch counts them."""
    class_ = [tiny_submission(tmp_path / "class" / name) for name in ("every", "some")]
    own = {"some": ("--deselect", "tiny/test_tiny.py::test_secret_product")}
    graded = {o.submission.id: o.graded for o in run.grade_many(
        TINY, class_, tmp_path / "out", jobs=2, own_args=own)}
    names = {sid: [row.name for row in g.rows] for sid, g in graded.items()}
    assert len(names["some"]) == len(names["every"]) - 1
    assert not any("multiplies" in name for name in names["some"])
    again = run.grade_many(TINY, class_[1:], tmp_path / "out", resume=True)
    assert [o.state for o in again] == ["graded"]  # graded with other options before
