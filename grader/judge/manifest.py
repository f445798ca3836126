"""The expected test set of an assignment: every test's id, name, number, points, visibility.

`grader template` collects the assignment's tests and writes `expected_tests.json`
beside its assignment.toml (and `grader template --check` fails when it is
stale). When grading, a test file that cannot be collected still yields a
failing row for each of its tests, so the maximum score never shrinks and the
student sees a grader problem, not a smaller total.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from grader.judge.config import Assignment, ConfigError

if TYPE_CHECKING:
    from grader.judge.session import Outcome

NAME = "expected_tests.json"


class _Collector:
    """Keeps the graded items and the metadata the plugin gathered at collection."""

    def __init__(self):
        self.items: list[tuple[pytest.Item, Outcome]] = []
        self.errors: list[str] = []

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(f"{report.nodeid}: {report.longreprtext[-1500:]}")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        from grader.judge.plugin import OUTCOME

        self.items = [(item, item.stash[OUTCOME]) for item in session.items
                      if OUTCOME in item.stash]


def test_id(assignment: Assignment, nodeid: str) -> str:
    """A node id relative to the assignment folder: `test_models.py::test_x[case]`."""
    return nodeid.removeprefix(f"{assignment.root.name}/")


def collected(assignment: Assignment) -> list[tuple[pytest.Item, Outcome]]:
    """The assignment's tests, collected (not run) with the grader plugin: items and outcomes."""
    from grader.judge.runner import PYTEST_INI

    collector = _Collector()
    code = pytest.main([str(assignment.root), "-c", str(PYTEST_INI), "--rootdir",
                        str(assignment.root.parent), "--import-mode=importlib",
                        "--collect-only", "--no-sandbox", "-p", "no:randomly", "-p", "no:terminal"],
                       plugins=[collector])
    if collector.errors or code not in (0, 5):
        raise ConfigError(f"{assignment.root}: the tests cannot all be collected (pytest exit "
                          f"code {int(code)}):\n" + "\n".join(collector.errors))
    return collector.items


def collect(assignment: Assignment) -> list[dict]:
    """Every test's id, name, number, points and visibility, in collection order."""
    return [{"id": test_id(assignment, item.nodeid), "name": outcome.spec.name,
             "number": outcome.spec.number, "max_score": outcome.spec.weight,
             "visibility": outcome.spec.visibility}
            for item, outcome in collected(assignment)]


def render(assignment: Assignment) -> bytes:
    return (json.dumps({"tests": collect(assignment)}, indent=1) + "\n").encode()


def load(root: Path) -> list[dict]:
    """The expected tests of the assignment at `root` ([] when none were written)."""
    path = root / NAME
    return json.loads(path.read_text())["tests"] if path.is_file() else []
