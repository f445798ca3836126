"""Grade one submission: stage its files, run the assignment's tests, write results.json once."""

from __future__ import annotations

import tempfile
import traceback
from pathlib import Path

import pytest

from grader.assignment import Assignment
from grader.judge import results
from grader.judge.files import stage
from grader.judge.plugin import SESSION
from grader.judge.session import GradingSession

PYTEST_INI = Path(__file__).parents[1] / "pytest.ini"


class _RunSettings:
    """Hands the run's staging notes to the session, and keeps hold of it for the caller."""

    state: GradingSession | None = None

    def __init__(self, notes: list[str]):
        self.notes = notes

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.state = config.stash[SESSION]
        self.state.notes = self.notes


def pytest_args(assignment: Assignment, submission: Path, *, device: str, sandbox: bool,
                pytest_report: Path | None = None, extra: tuple[str, ...] = ()) -> list[str]:
    args = [
        # rootdir one level up: test modules are named "<assignment>.test_x", so two
        # assignments' test_models.py never share a module name.
        str(assignment.root), "-c", str(PYTEST_INI), "--rootdir", str(assignment.root.parent),
        # No tracebacks: they would show hidden tests' code; the summary says what failed.
        "--import-mode=importlib", "-q", "--no-header", "--tb=no", "-rN", "-p", "no:randomly",
        "--continue-on-collection-errors",
        "--submission", str(submission), "--grader-device", device,
        "--sandbox" if sandbox else "--no-sandbox",
    ]
    if pytest_report:
        args += ["--json-report", f"--json-report-file={pytest_report}"]
    return [*args, *extra]


def grade(assignment: Assignment, submission: str | Path, output: str | Path, *,
          device: str = "auto", sandbox: bool = True, pytest_report: Path | None = None,
          extra_args: tuple[str, ...] = ()) -> dict:
    """Grade `submission` (folder or zip) against `assignment`; return the results document.

    The grader plugin writes results.json; this writes it only when the run
    never got that far (a crash before pytest finished), so a file always exists.
    """
    output = Path(output)
    settings: _RunSettings | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="grader-submission-") as scratch:
            staged = stage(submission, assignment, Path(scratch) / "submission")
            settings = _RunSettings(staged.notes())
            args = pytest_args(assignment, staged.root, device=device, sandbox=sandbox,
                               pytest_report=pytest_report, extra=extra_args)
            pytest.main([*args, "--results-json", str(output)], plugins=[settings])
        if settings.state is not None and settings.state.document is not None:
            return settings.state.document
        reason, details = "pytest stopped before the grader plugin finished", ""
    except Exception as exc:  # noqa: BLE001 - the student still gets a valid file
        reason, details = f"{type(exc).__name__}: {exc}", traceback.format_exc()[-5000:]
    return results.write_json(output, results.failure_document(
        "The grader failed before it could grade your submission; your score is not final. "
        f"Please tell the course staff.\n\n{reason}", extra_data={"traceback": details}))
