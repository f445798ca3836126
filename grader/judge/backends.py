"""Where a test's `submission` runs: a sandboxed worker, or (debugging) the judge's process.

The session asks for a proxy by folder and kind; which backend serves it is decided
here, so the session holds the run's state and nothing of how student code runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grader.assignment import Assignment
from grader.judge.errors import SubmissionError


def _modules(assignment: Assignment, root: Path) -> list[str]:
    """The submission's modules: those the assignment names, else every .py file but tests."""
    return assignment.modules or sorted(
        p.stem for p in root.glob("*.py") if not p.name.startswith(("test_", "conftest")))


def connect(assignment: Assignment, root: Path | None, which: str, *, sandboxed: bool,
            private: tuple[Path, ...], time_left: Callable[[], float],
            memory_mb: int | None):
    """A `client.Proxy` to the code in `root` (the submission's, or the reference's)."""
    if root is None or not root.is_dir():
        raise SubmissionError(f"No {which} folder to run ({root or 'none given'}): "
                              "pass --submission DIR, or run `grader grade`.")
    modules = _modules(assignment, root)
    if sandboxed:
        from grader.sandbox import SandboxBackend
        backend = SandboxBackend(root, modules, assignment=assignment,
                                 trusted=which == "reference", private=private,
                                 time_left=time_left, memory_mb=memory_mb)
    else:
        from grader.judge.inprocess import InProcessBackend
        backend = InProcessBackend(root, modules, assignment.helpers_module)
    from grader.judge.client import Proxy  # here: it loads torch

    return Proxy(backend, modules)


def prestart(sandboxed: bool) -> None:
    """Start what sandboxed workers are forked from (the zygote) now, so that its imports
    overlap the judge's own."""
    if sandboxed:
        from grader.sandbox import starts
        starts.prestart()


def reap(sandboxed: bool) -> None:
    """After the last worker: sandboxed, end every process of the workers' users too."""
    if sandboxed:
        from grader.sandbox import users
        users.reap()
