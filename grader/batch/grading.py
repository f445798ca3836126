"""One grading: a `grader grade` process for one submission, its folder and how it ended.

grader.batch.run schedules many of these (locally through warm judges, or on Ray);
`grader ci` runs one. A grading is a process of its own in a session of its own, so
that it can be killed whole, workers included, and a judge that crashes or hangs
takes down only its own row.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import host
from grader.assignment import Assignment
from grader.batch.sources import Submission
from grader.judge import results


@dataclass(frozen=True)
class Options:
    """How every grading of a batch runs (device and pytest_args count for `resume`)."""

    device: str = "auto"
    pytest_args: tuple[str, ...] = ()   # e.g. ("-m", "not training"): a quick, non-final run
    timeout_s: float | None = None      # per grading; default: the time budget plus slack

    def timeout_for(self, assignment: Assignment) -> float:
        """A backstop only: the judge stops itself at its time budget."""
        return self.timeout_s or assignment.time_budget_s * 1.25 + 120


@dataclass(frozen=True)
class Job:
    """One submission's place in the output folder."""

    submission: Submission
    folder: Path
    fingerprint: str = ""  # digest of the submission's files, as it was when planned
    pytest_args: tuple[str, ...] = ()  # the batch's options, then this submission's own

    @property
    def results(self) -> Path:
        return self.folder / "results.json"

    @property
    def log(self) -> Path:
        return self.folder / "grade.log"

    @property
    def report(self) -> Path:
        return self.folder / "pytest-report.json"

    @property
    def marker(self) -> Path:
        return self.folder / "grading.json"


@dataclass
class Finished:
    """How a `grader grade` process ended."""

    code: int | None
    seconds: float
    problem: str = ""           # set when it did not end normally

    @property
    def ok(self) -> bool:
        return self.code == 0 and not self.problem

    @classmethod
    def exited(cls, code: int, seconds: float) -> Finished:
        """A grading process that ended with `code` (negative: killed by that signal)."""
        if code < 0:
            return cls(code, seconds, f"the grading process was killed by {signal_name(-code)}")
        if code != 0:
            return cls(code, seconds, f"the grading process ended with exit code {code}")
        return cls(code, seconds)

    @classmethod
    def overran(cls, timeout: float, seconds: float) -> Finished:
        return cls(None, seconds, f"it was still running after {timeout:.0f} s, over the "
                                  "grading time limit, and was stopped")


def grade_argv(assignment_root: Path, submission: Path, output: Path, *, device: str,
               report: Path | None = None) -> list[str]:
    """The arguments of `grader grade` for one submission, from `grade` on."""
    argv = ["grade", str(assignment_root.resolve()), str(submission.resolve()), "-o",
            str(output.resolve()), "--device", device]
    return argv + (["--pytest-report", str(report.resolve())] if report else [])


def grade_command(assignment_root: Path, submission: Path, output: Path, *, device: str,
                  report: Path | None = None) -> list[str]:
    """The `grader grade` command line, run with this interpreter."""
    return [sys.executable, "-m", "grader.cli",
            *grade_argv(assignment_root, submission, output, device=device, report=report)]


def grade_env(pytest_args: Sequence[str], extra: dict[str, str] | None = None) -> dict:
    """The environment of a grading: ours, with PYTEST_ADDOPTS set to exactly `pytest_args`
    (`grader grade` has no option to choose tests; a PYTEST_ADDOPTS of our own never leaks in)."""
    return {**os.environ, **(extra or {}), "PYTEST_ADDOPTS": shlex.join(pytest_args)}


class Child:
    """A running `grader grade`, in a session of its own so that it can be killed whole."""

    def __init__(self, command: list[str], env: dict, log_path: Path):
        self.started = time.monotonic()
        with open(log_path, "wb") as out:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True)

    def wait(self, timeout: float) -> Finished:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return Finished.overran(timeout, self.seconds())
        return Finished.exited(code, self.seconds())

    def kill(self) -> None:
        kill_tree(self.process.pid)
        self.process.wait()

    def seconds(self) -> float:
        return round(time.monotonic() - self.started, 3)


def kill_tree(pid: int) -> None:
    """SIGKILL the judge `pid` and all it started: its sandboxed workers run in sessions
    (process groups) of their own, so each group is killed. `pid` must not have been
    reaped yet, or it might name another process."""
    groups = set()
    for process in [pid, *host.descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            groups.add(os.getpgid(process))
    groups.discard(os.getpgrp())
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run_grading(command: list[str], env: dict, log_path: Path, timeout: float) -> Finished:
    child = Child(command, env, log_path)
    try:
        return child.wait(timeout)
    except BaseException:  # we are being stopped: leave nothing running
        child.kill()
        raise


def collect(results_path: Path, finished: Finished) -> dict:
    """The results.json of a finished grading; written here if the judge could not write it."""
    if finished.ok:
        try:
            return json.loads(results_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            finished.problem = "the grading process wrote no results"
    document = results.failure_document(
        f"The grader could not finish grading this submission: {finished.problem}. This is a "
        "problem with the grader, not necessarily with your code, and your score is not final. "
        "The course staff have been told and will look into it.",
        execution_time=finished.seconds, extra_data={"grader_problem": finished.problem})
    results.write_atomic(results_path, document)
    return document
