"""What one grading run knows: the tests, their outcomes, the submissions, the rows."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.assignment import REGRADE, Assignment, loading
from grader.judge import backends, manifest, report, results
from grader.judge.metadata import TestSpec
from grader.judge.registration import register_datasets
from grader.judge.secrets import grading_secret

PRINTED_LIMIT = results.TEST_OUTPUT_LIMIT // 2  # of a test's output; the reason comes first
REGRADE_NOTE = ("Some tests could not be graded fairly on this run (the grading machine was "
                "too busy or stopped your code itself, or the grader lacked a setting); this "
                "grading is marked for a regrade, which will run them again. Until then they "
                "score 0.")
REGRADE_ROW = ("This grading is marked for a regrade, which will run this test again; until "
               "then it scores 0.")
BUSY_SHARE = 0.5  # of its runnable time, the judge waited for a CPU: the machine was too busy
UNCOLLECTED = ("This test could not be run: the grader failed to load it. This is a problem "
               "with the grader, not your code; the staff have been told.")


@dataclass
class Outcome:
    """How one test went, gathered phase by phase."""

    spec: TestSpec
    assignment: Assignment
    reason: str | None = None      # first failure or skip, student-facing
    passed_call: bool = False
    fraction: float | None = None  # partial credit as a fraction of the weight
    points: float | None = None    # partial credit in points (gradescope-utils set_score)
    leaderboard_value: Any = None
    output: list[str] = field(default_factory=list)
    duration: float = 0.0
    done: bool = False
    grader_fault: bool = False     # the worker was killed by nothing the student's code hit
    regrade: str | None = None     # why this run could not grade it (for the staff's log)
    pictures: list[str] = field(default_factory=list)  # PNGs the test drew, as shown to students

    def retry(self) -> None:
        """Forget a run spoiled by a grader fault (its duration still counts)."""
        fresh = Outcome(self.spec, self.assignment, duration=self.duration)
        self.__dict__.update(fresh.__dict__)

    def row(self) -> results.TestResult:
        spec = self.spec
        passed = self.passed_call and self.reason is None and not self.regrade
        score = spec.weight if passed else 0.0
        if self.regrade:
            score = 0.0  # while flagged: the regrade grades it
        elif self.points is not None:
            score = self.points
        elif self.fraction is not None:
            score = spec.weight * self.fraction
        reason = (self.reason or "") + (f"\n\n{REGRADE_ROW}" if self.regrade else "")
        hide = not passed and spec.hide_errors
        # A regrade's reason tells nothing of the test: shown even where failures are hidden.
        output = spec.hide_errors if hide and not self.regrade else reason
        if self.output and not hide:  # capped first: a flood of prints never pushes out pictures
            printed = results.clean_text("".join(self.output), PRINTED_LIMIT)
            output += "\n\nYour code printed:\n" + printed
        if self.pictures and not (spec.hide_errors and not passed):
            output += "".join(f"\n{report.PICTURE}{picture}" for picture in self.pictures)
        return results.TestResult(
            name=spec.name,
            max_score=spec.weight,
            score=min(max(score, 0.0), spec.weight),
            status="passed" if passed else "failed",
            output=output.strip(),
            number=spec.number,
            visibility=spec.visibility,
            tags=list(spec.tags),
            extra_data={"duration_s": round(self.duration, 3),
                        **({REGRADE: True} if self.regrade else {})},
        )


class GradingSession:
    def __init__(self, submission_dir: str | None, backend: str, device: str):
        self.submission_dir = Path(submission_dir).resolve() if submission_dir else None
        self.backend = backend
        backends.prestart(backend == "sandbox")
        self.device = device
        self.started = time.monotonic()
        self.outcomes: dict[str, Outcome] = {}       # node id -> outcome, in collection order
        self.collection_errors: dict[Path, str] = {}  # test file -> why it failed (staff only)
        self.submissions: dict[tuple[Path, str], Any] = {}  # -> client.Proxy
        self.last_reference_use: dict[Path, str] = {}  # assignment root -> node id
        self.private_paths: list[Path] = []          # the worker must not see these (results)
        self.salt = ""                               # staff's, to vary the secret (selftest)
        self.overrides: dict[str, Any] = {}            # command-line limits over assignment.toml
        self._secrets: dict[Path, str] = {}
        self.notes: list[str] = []                   # about the submission's files (staging)
        self.document: dict | None = None            # the results document, once finished
        self._cpu_at_start = _judge_cpu()

    @property
    def graded(self) -> bool:
        return bool(self.outcomes)

    def assignments(self) -> list[Assignment]:
        return list({o.assignment.root: o.assignment for o in self.outcomes.values()}.values())

    def secret(self, assignment: Assignment) -> str:
        """The grading secret mixed into the judge's input seeds (`judge.secrets`); none
        in process, where nothing keeps student code from reading it."""
        if self.backend != "sandbox":
            return ""
        if assignment.root not in self._secrets:
            self._secrets[assignment.root] = grading_secret(assignment, self.submission_dir,
                                                            self.salt)
        return self._secrets[assignment.root]

    def submission(self, assignment: Assignment, which: str = "submission"):
        """The (cached) proxy to the student's code, or to the reference solution."""
        key = (assignment.root, which)
        if key not in self.submissions:
            self.submissions[key] = self._connect(assignment, which)
        return self.submissions[key]

    def release(self, assignment: Assignment, which: str) -> None:
        """End a worker no later test needs (a test asking again would get a fresh one)."""
        sub = self.submissions.pop((assignment.root, which), None)
        if sub is not None:
            sub.close()

    def limits(self, assignment: Assignment) -> Assignment:
        """The assignment with the command line's time limits applied."""
        chosen = {k: v for k, v in self.overrides.items()
                  if v is not None and k in ("call_timeout_s", "time_budget_s")}
        return dataclasses.replace(assignment, **chosen)

    def time_left(self, assignment: Assignment) -> float:
        """Seconds left of the whole-run time budget."""
        return self.limits(assignment).time_budget_s - (time.monotonic() - self.started)

    def machine_busy(self) -> bool:
        """Whether this run's judge waited for a CPU more than `BUSY_SHARE` of the time it
        wanted one (its run-queue delay): the machine was oversubscribed. The budget of a
        run stays wall-clock time (Gradescope's limit is), so a budget spent on such a
        machine is no verdict on the student's code."""
        (ran_before, waited_before), (ran, waited) = self._cpu_at_start, _judge_cpu()
        ran, waited = ran - ran_before, waited - waited_before
        return waited > BUSY_SHARE * (ran + waited) > 0

    def _connect(self, assignment: Assignment, which: str):
        root = assignment.reference if which == "reference" else (
            self.submission_dir or assignment.submission)
        return backends.connect(self.limits(assignment), root, which,
                                sandboxed=self.backend == "sandbox",
                                private=tuple(self.private_paths),
                                time_left=lambda: self.time_left(assignment),
                                memory_mb=self.overrides.get("worker_memory_mb"))

    def drain_output(self, assignment: Assignment) -> list[str]:
        """What student code printed since the last call, now attributed."""
        sub = self.submissions.get((assignment.root, "submission"))
        if sub is None or not sub.output:
            return []
        taken, sub.output = sub.output, []
        return taken

    def close(self) -> None:
        """End every worker; sandboxed, every process of their users too."""
        for sub in self.submissions.values():
            sub.close()
        backends.reap(self.backend == "sandbox")

    def protections(self) -> dict:
        """How student code was kept from the grade, for extra_data."""
        backends = [s._backend for (_, which), s in self.submissions.items()
                    if which == "submission"]
        if self.backend != "sandbox":
            return {"backend": "in-process", "not_active": [
                ("student code ran in the judge's own process (a local or debugging run): "
                 "nothing kept it from the grade")]}
        if not backends:
            return {"backend": "sandbox", "note": "no student code was run"}
        return {"backend": "sandbox", **backends[0].protections}

    def rows(self) -> list[results.TestResult]:
        rows = []
        for outcome in self.outcomes.values():
            if not outcome.done:
                outcome.reason = outcome.reason or "Not run: grading stopped before this test."
            rows.append(outcome.row())
        return rows + self._uncollected_rows()

    def regrades(self) -> dict[str, str]:
        """{test number (else name): why} of the tests this run could not grade fairly."""
        return {o.spec.number or o.spec.name: o.regrade
                for o in self.outcomes.values() if o.regrade}

    def _uncollected_rows(self) -> list[results.TestResult]:
        """A failing row for each expected test of a file that could not be collected."""
        rows = []
        for path in self.collection_errors:
            root = loading.find_root(path)
            if root is None:
                continue
            file = path.relative_to(root).as_posix()
            rows += [results.TestResult(
                name=test["name"], max_score=test["max_score"], score=0.0, status="failed",
                output=UNCOLLECTED, number=test["number"], visibility=test["visibility"],
                tags=[], extra_data={}) for test in manifest.load(root)
                if test["id"].split("::")[0] == file]
        return rows

    def top_output(self, rows: list[results.TestResult]) -> str:
        lines = list(self.notes)
        if self.collection_errors:  # which files, and why, is for the staff's log only
            lines.append("Some of the assignment's tests could not be loaded; this is a "
                         "problem with the grader, not your code. Please tell the staff.")
        for (_, which), sub in self.submissions.items():
            if which == "submission":
                lines += sub.import_errors.values()
        if self.regrades():
            lines.append(REGRADE_NOTE)
        if not rows and not self.collection_errors:
            lines.append("No tests were run.")
        return "\n\n".join(lines)

    def finish(self, exit_code: int) -> dict:
        """The results document of the run (built once, after every worker is dead)."""
        if not self.rows() and exit_code not in (0, 5):  # 5: pytest collected no test
            self.document = results.failure_document(
                f"The grader could not run the assignment's tests (pytest exit code "
                f"{exit_code}). This is a problem with the grader, not your code; please "
                "tell the course staff.",
                execution_time=time.monotonic() - self.started)
        else:
            self.document = self._build()
        return self.document

    def _build(self, seed: int = 0) -> dict:
        rows = self.rows()
        assignments = self.assignments()
        leaderboard = [
            {"name": o.spec.leaderboard[0], "value": o.leaderboard_value,
             "order": o.spec.leaderboard[1]}
            for o in self.outcomes.values()
            if o.spec.leaderboard and _leaderboard_value_ok(o.leaderboard_value)
        ]
        return results.build(
            rows,
            output=self.top_output(rows),
            visibility=assignments[0].visibility if assignments else "visible",
            execution_time=time.monotonic() - self.started,
            extra_data=results.environment(
                self.device, assignments[0].seed if assignments else seed,
                backend=self.backend,
                assignment=assignments[0].name if assignments else None,
                sandbox=self.protections(), **{REGRADE: list(self.regrades())}),
            leaderboard=leaderboard,
        )


def _judge_cpu() -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for one) of the judge's main thread."""
    try:
        ran, waited = Path("/proc/self/schedstat").read_text().split()[:2]
        return int(ran) / 1e9, int(waited) / 1e9
    except (OSError, ValueError):  # no schedstat (not Linux, or a kernel without it)
        return 0.0, 0.0


def _leaderboard_value_ok(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def assignment_of(item: pytest.Item) -> Assignment | None:
    """The assignment of a test, its own datasets registered for the test to load."""
    root = loading.find_root(Path(item.path))
    if root is None:
        return None
    assignment = loading.load(root)
    register_datasets(assignment)
    return assignment
