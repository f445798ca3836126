"""The pytest plugin: grading markers, fixtures, and one results row per test.

Registered through the `pytest11` entry point, so `pytest student_template/`
and `grader grade` share it. It only acts on tests that live under a folder
with an `assignment.toml`; other tests run as plain pytest tests.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from pathlib import Path

import pytest
from _pytest.runner import runtestprotocol

from grader.assignment import Assignment, GraderProblem
from grader.judge import report, results
from grader.judge.errors import SubmissionError
from grader.judge.metadata import MARKERS, specs_for
from grader.judge.progress import TrainingProgress
from grader.judge.session import GradingSession, Outcome, assignment_of
from grader.toolkit.memory import release_free_memory

SESSION = pytest.StashKey[GradingSession]()
OUTCOME = pytest.StashKey[Outcome]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader", "grading student submissions")
    group.addoption("--submission", metavar="DIR",
                    help="folder with the student's code (default: the assignment's own)")
    group.addoption("--results-json", metavar="PATH", help="write Gradescope results.json here")
    group.addoption("--sandbox", dest="grader_backend", action="store_const", const="sandbox",
                    default="inprocess", help="run student code in a sandboxed worker process")
    group.addoption("--no-sandbox", dest="grader_backend", action="store_const",
                    const="inprocess", help="run student code in this process (debugging)")
    group.addoption("--grader-device", default="auto", choices=("auto", "cpu", "cuda"),
                    help="device that grading uses")
    group.addoption("--grader-call-timeout", type=float, metavar="S",
                    help="limit of one sandboxed call (default: assignment.toml)")
    group.addoption("--grader-time-budget", type=float, metavar="S",
                    help="budget of the whole run (default: assignment.toml)")
    group.addoption("--grader-plots", metavar="DIR",
                    help="write the pictures tests draw (loss curves, confusion matrices) here; "
                         "when grading they go to pictures/ beside results.json")
    group.addoption("--grader-worker-memory", type=int, metavar="MB",
                    help="memory watchdog limit of a worker (default: 60%% of the machine)")
    group.addoption("--grader-salt", default="", metavar="TEXT",
                    help="mixed into the grading secret: the same submission graded as "
                         "another student would see it (`grader selftest --seeds`)")


# Selection markers (not grading metadata): mutation prescreens and quick runs leave them out.
TIMING_MARKER = "timing: compares a speed with the reference's (noisy on a busy machine)"


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.addinivalue_line("markers", TIMING_MARKER)
    state = GradingSession(
        config.getoption("submission"), config.getoption("grader_backend"),
        resolve_device(config.getoption("grader_device")))
    state.overrides = {"call_timeout_s": config.getoption("grader_call_timeout"),
                       "time_budget_s": config.getoption("grader_time_budget"),
                       "worker_memory_mb": config.getoption("grader_worker_memory")}
    state.salt = config.getoption("grader_salt")
    if config.getoption("results_json"):  # the worker must neither read nor write it
        state.private_paths.append(Path(config.getoption("results_json")).resolve().parent)
    config.stash[SESSION] = state
    config.pluginmanager.register(GradingHooks(config, state), "grader-session")
    config.pluginmanager.register(TrainingProgress(config, OUTCOME), "grader-progress")


def resolve_device(name: str) -> str:
    if name == "auto":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


class GradingHooks:
    """Hooks bound to one run's `GradingSession`."""

    def __init__(self, config: pytest.Config, state: GradingSession):
        self.config, self.state = config, state

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            path = Path(self.config.rootpath, report.nodeid.split("::")[0]).resolve()
            self.state.collection_errors[path] = report.longreprtext[-2000:]

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        graded = [(item, assignment_of(item)) for item in items]
        graded = [(item, a) for item, a in graded if a is not None]
        specs = specs_for([item for item, _ in graded])
        for item, assignment in graded:
            outcome = Outcome(specs[item.nodeid], assignment)
            item.stash[OUTCOME] = outcome
            self.state.outcomes[item.nodeid] = outcome

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.state.outcomes.pop(item.nodeid, None)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Start each student's sandboxed worker now: its start-up overlaps the first tests.

        The reference's worker (timing tests) starts when its first test needs it and
        ends after its last one: under a small memory limit (768 MB on Gradescope) an
        idle interpreter beside the student's training run can be what exhausts it.
        """
        if self.state.backend != "sandbox":
            return
        for item in session.items:
            if OUTCOME in item.stash and "reference" in item.fixturenames:
                self.state.last_reference_use[item.stash[OUTCOME].assignment.root] = item.nodeid
        for assignment in {item.stash[OUTCOME].assignment for item in session.items
                           if OUTCOME in item.stash and "submission" in item.fixturenames}:
            try:
                self.state.submission(assignment)
            except SubmissionError:  # reported by the fixture, test by test
                pass

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        outcome = item.stash.get(OUTCOME, None)
        if outcome is not None:
            if self.state.time_left(outcome.assignment) <= 0:
                budget = self.state.limits(outcome.assignment).time_budget_s
                outcome.reason = f"Not run: the time budget of the grading run ({budget:g} s) " \
                                 "was spent."
                self._budget_spent(outcome)
                pytest.fail(outcome.reason, pytrace=False)
            self.state.drain_output(outcome.assignment)  # output of earlier, unattributed calls
            func = _function(item)
            for attr in ("__score__", "__leaderboard_value__"):  # gradescope-utils state
                if attr in getattr(func, "__dict__", {}):
                    delattr(func, attr)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        """Run a graded test; once more when a grader fault, not the student, spoiled it."""
        outcome = item.stash.get(OUTCOME, None)
        if outcome is None:
            return None
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
        if outcome.grader_fault:
            outcome.retry()
            reports = runtestprotocol(item, nextitem=nextitem, log=False)
            if outcome.grader_fault:
                outcome.regrade = "a worker was killed from outside in both runs of the test"
        if self.state.last_reference_use.get(outcome.assignment.root) == item.nodeid:
            self.state.release(outcome.assignment, "reference")
        release_free_memory()  # a test's temporary tensors: the next test may need the room
        for phase in reports:
            item.ihook.pytest_runtest_logreport(report=phase)
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        outcome = item.stash.get(OUTCOME, None)
        if outcome is not None:
            self._record(item, call, report, outcome)
        return report

    def _record(self, item, call, report, outcome: Outcome) -> None:
        outcome.duration += call.duration
        error = call.excinfo.value if call.excinfo else None
        if isinstance(error, SubmissionError) and error.error.get("grader_fault"):
            outcome.grader_fault = True
        if _disturbed(error) or isinstance(error, GraderProblem):
            outcome.regrade = error.staff_note
        if report.when == "call":
            outcome.passed_call = report.passed
            func = _function(item)
            if getattr(func, "__score__", None) is not None:
                outcome.points = float(func.__score__)
            if getattr(func, "__leaderboard_value__", None) is not None:
                outcome.leaderboard_value = func.__leaderboard_value__
        if outcome.reason is None and (report.failed or report.skipped):
            outcome.reason = failure_reason(call, report)
        if isinstance(error, SubmissionError) and error.error.get("budget_spent"):
            self._budget_spent(outcome)
        if report.when == "teardown":
            outcome.output += self.state.drain_output(outcome.assignment)
            outcome.done = True

    def _budget_spent(self, outcome: Outcome) -> None:
        """The run's time budget ran out before `outcome`'s test was done: on a busy
        machine, that is a regrade, not a verdict on the student's code."""
        if self.state.machine_busy():
            said = (outcome.reason or "").rstrip(".")
            outcome.reason = f"{said}. The grading machine was too busy to finish the run in time."
            outcome.regrade = ("the run's time budget ran out while the judge waited for a CPU "
                               "most of the time it wanted one")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """The one place results.json is built and written: after every worker is dead."""
        self.state.close()
        document = self.state.finish(int(exitstatus))
        path = self.config.getoption("results_json")
        if path:
            self.state.document = results.write_json(path, document)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for path, why in self.state.collection_errors.items():  # the staff's log, not results
            terminalreporter.write_line(f"could not collect {path}:\n{why}")
        for test, why in self.state.regrades().items():
            terminalreporter.write_line(f"REGRADE: test {test} could not be graded fairly on "
                                        f"this run ({why}); results.json marks it for a regrade")
        if self.state.graded or self.state.collection_errors:
            public_only = any(a.config.get("assignment", {}).get("public_tests_only")
                              for a in self.state.assignments())
            for line in report.summary(self.state.document, public_only=public_only,
                                       parts=report.part_titles(
                                           (node_id, outcome.spec.number) for node_id, outcome
                                           in self.state.outcomes.items())):
                terminalreporter.write_line(line)


def _function(item: pytest.Item):
    """The test function object that gradescope-utils decorators keep state on."""
    obj = getattr(item, "obj", None)
    return getattr(obj, "__func__", obj)


def _disturbed(error: BaseException | None) -> bool:
    """A timing that `check_quiet` found disturbed (any test that timed loaded the module)."""
    timing = sys.modules.get("grader.toolkit.timing")
    return timing is not None and isinstance(error, timing.Disturbed)


def failure_reason(call: pytest.CallInfo, report: pytest.TestReport) -> str:
    """What went wrong, worded for the student."""
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return f"Skipped (scores 0): {reason.removeprefix('Skipped: ')}"
    exc = call.excinfo.value if call.excinfo else None
    if isinstance(exc, SubmissionError | AssertionError | GraderProblem) and str(exc):
        return str(exc)
    if isinstance(exc, pytest.fail.Exception):
        return exc.msg or "failed"
    crash = getattr(report.longrepr, "reprcrash", None)
    message = crash.message if crash else report.longreprtext.strip()[-500:]
    if report.when != "call":
        return f"The grader could not {'prepare' if report.when == 'setup' else 'finish'} " \
               f"this test: {message}"
    return f"The check of your result failed: {message}"


# ---- fixtures ---------------------------------------------------------------

def _outcome(request: pytest.FixtureRequest) -> Outcome:
    outcome = request.node.stash.get(OUTCOME, None)
    if outcome is None:
        pytest.fail("this fixture is for tests inside an assignment folder", pytrace=False)
    return outcome


@pytest.fixture
def assignment(request: pytest.FixtureRequest) -> Assignment:
    """The assignment the test belongs to (its parsed assignment.toml)."""
    return _outcome(request).assignment


@pytest.fixture
def submission(request: pytest.FixtureRequest, assignment: Assignment):
    """The student's modules, behind the sandbox seam."""
    try:
        return request.config.stash[SESSION].submission(assignment)
    except SubmissionError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def reference(request: pytest.FixtureRequest, assignment: Assignment):
    """The reference solution behind the same seam, in its own worker (for timing ratios)."""
    try:
        return request.config.stash[SESSION].submission(assignment, "reference")
    except SubmissionError as exc:
        pytest.fail(f"grader configuration: {exc}", pytrace=False)


@pytest.fixture
def training_data(assignment: Assignment):
    """(train, heldout): the splits of the dataset ``[training] dataset`` names.

    The held-out labels stay in the judge; its images reach the worker only through
    `grader.toolkit.heldout`, in a secret order.
    """
    name = assignment.settings.training.dataset
    if not name:
        pytest.fail("grader configuration: the training_data fixture needs [training] dataset "
                    "in assignment.toml", pytrace=False)
    return _splits(name)


@functools.cache
def _splits(name: str) -> tuple:
    from grader.toolkit.datasets import get_dataset

    return get_dataset(name, "train"), get_dataset(name, "heldout")


@pytest.fixture
def device(request: pytest.FixtureRequest):
    import torch

    return torch.device(request.config.stash[SESSION].device)


def test_seed(request: pytest.FixtureRequest, assignment: Assignment) -> int:
    """Stable per test and case, the same wherever the test file lives.

    When grading (sandboxed), a secret is mixed in: the seed formula and the
    assignment seed are public, so student code could otherwise predict the
    judge's "random" inputs.
    """
    secret = request.config.stash[SESSION].secret(assignment)
    key = f"{assignment.seed}:{request.node.path.name}::{request.node.name}"
    key = f"{secret}:{key}" if secret else key
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little") % 2**63


@pytest.fixture
def rng(request: pytest.FixtureRequest, assignment: Assignment):
    """A torch.Generator (CPU) seeded for this test."""
    import torch

    return torch.Generator().manual_seed(test_seed(request, assignment))


@pytest.fixture
def np_rng(request: pytest.FixtureRequest, assignment: Assignment):
    """A numpy.random.Generator seeded for this test."""
    import numpy as np

    return np.random.default_rng(test_seed(request, assignment))


class _Setter:
    def __init__(self, outcome: Outcome, attr: str, check=None):
        self._outcome, self._attr, self._check = outcome, attr, check

    def set(self, value) -> None:
        if self._check:
            self._check(value)
        setattr(self._outcome, self._attr, value)

    __call__ = set


def _fraction(value) -> None:
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"score.set takes a fraction in [0, 1], got {value}")


@pytest.fixture
def score(request: pytest.FixtureRequest) -> _Setter:
    """Partial credit: `score.set(0.5)` awards half of the test's weight."""
    return _Setter(_outcome(request), "fraction", _fraction)


class Pictures:
    """`pictures.save("loss", figure)`: a PNG for the student, linked from the test's output."""

    def __init__(self, folder: Path | None, shown_as: Path | None, outcome: Outcome):
        self.folder, self.shown_as, self.outcome = folder, shown_as, outcome

    def save(self, name: str, figure) -> Path | None:
        """Write `figure` (matplotlib); None when this run keeps no pictures."""
        if self.folder is None:
            return None
        stem = self.outcome.spec.number or self.outcome.spec.name
        path = self.folder / re.sub(r"[^\w.-]+", "_", f"{stem}-{name}.png")
        self.folder.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=100)
        self.outcome.pictures.append(str(self.shown_as / path.name))
        return path


@pytest.fixture
def pictures(request: pytest.FixtureRequest) -> Pictures:
    """Where a test's pictures go: --grader-plots DIR, else pictures/ beside results.json."""
    config = request.config
    if config.getoption("grader_plots"):
        folder = Path(config.getoption("grader_plots")).resolve()
        return Pictures(folder, folder, _outcome(request))
    if config.getoption("results_json"):
        folder = Path(config.getoption("results_json")).resolve().parent / "pictures"
        return Pictures(folder, Path("pictures"), _outcome(request))
    return Pictures(None, None, _outcome(request))


@pytest.fixture
def leaderboard(request: pytest.FixtureRequest) -> _Setter:
    """`leaderboard.set(value)` for a test marked `leaderboard`."""
    return _Setter(_outcome(request), "leaderboard_value")


@pytest.fixture
def set_score(request: pytest.FixtureRequest) -> _Setter:
    """gradescope-utils style: points, not a fraction."""
    return _Setter(_outcome(request), "points")


@pytest.fixture
def set_leaderboard_value(leaderboard: _Setter) -> _Setter:
    return leaderboard
