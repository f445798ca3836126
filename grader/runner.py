"""Grade one submission: stage its files, run the assignment's tests, write results.json once."""

from __future__ import annotations

import tempfile
import time
import traceback
from pathlib import Path

import pytest

from grader import results
from grader.config import Assignment
from grader.plugin import SESSION
from grader.session import GradingSession
from grader.submission.files import stage

PYTEST_INI = Path(__file__).with_name("pytest.ini")


class _SessionCatcher:
    """Keeps hold of the run's GradingSession so the runner can write the file itself."""

    state: GradingSession | None = None

    def __init__(self, output: Path):
        self.output = output

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.state = config.stash[SESSION]
        self.state.show_summary = False
        self.state.private_paths.append(self.output.resolve().parent)


def pytest_args(assignment: Assignment, submission: Path, *, device: str, sandbox: bool,
                pytest_report: Path | None = None, extra: tuple[str, ...] = ()) -> list[str]:
    args = [
        # rootdir one level up: test modules are named "<assignment>.test_x", so two
        # assignments' test_models.py never share a module name.
        str(assignment.root), "-c", str(PYTEST_INI), "--rootdir", str(assignment.root.parent),
        "--import-mode=importlib", "-q", "--no-header", "-p", "no:randomly",
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
    """Grade `submission` (folder or zip) against `assignment`; write and return results.json."""
    started = time.monotonic()
    catcher = _SessionCatcher(Path(output))
    notes: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="grader-submission-") as scratch:
            staged = stage(submission, assignment, Path(scratch) / "submission")
            notes = staged.notes()
            args = pytest_args(assignment, staged.root, device=device, sandbox=sandbox,
                               pytest_report=pytest_report, extra=extra_args)
            code = pytest.main(args, plugins=[catcher])
        if sandbox:  # nothing of the student's may outlive grading and touch the file
            from grader.sandbox import users

            users.reap()
        document = _document(catcher.state, code, notes)
    except Exception as exc:  # noqa: BLE001 - the student still gets a valid file
        document = results.failure_document(
            "The grader failed before it could grade your submission; your score is not "
            f"final. Please tell the course staff.\n\n{type(exc).__name__}: {exc}",
            extra_data={"traceback": traceback.format_exc()[-5000:]})
    document["execution_time"] = round(time.monotonic() - started, 3)
    try:
        results.write_atomic(output, document)
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold: still write a valid file
        document = results.failure_document(f"The grader produced invalid results ({exc}); "
                                            "please tell the course staff.")
        results.write_atomic(output, document)
    return document


def _document(state: GradingSession | None, code: int, notes: list[str]) -> dict:
    if state is None or (not state.graded and code not in (0, 5)):
        return results.failure_document(
            f"The grader could not run the assignment's tests (pytest exit code {int(code)}). "
            "This is a problem with the grader, not your code; please tell the course staff.\n"
            + "\n".join(state.collection_errors if state else []))
    document = state.document()
    document["output"] = results.clean_text(
        "\n\n".join(filter(None, [*notes, document["output"]])), results.TOP_OUTPUT_LIMIT)
    return document
