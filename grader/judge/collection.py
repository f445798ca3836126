"""Collect an assignment's tests with the grader plugin, without running them: the
expected test set (grader.judge.manifest) and `grader explain` are built from it."""

from __future__ import annotations

import json

import pytest

from grader.assignment import Assignment, ConfigError
from grader.judge.plugin import OUTCOME
from grader.judge.runner import PYTEST_INI
from grader.judge.session import Outcome


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
        self.items = [(item, item.stash[OUTCOME]) for item in session.items
                      if OUTCOME in item.stash]


def test_id(assignment: Assignment, nodeid: str) -> str:
    """A node id relative to the assignment folder: `test_models.py::test_x[case]`."""
    return nodeid.removeprefix(f"{assignment.root.name}/")


def collected(assignment: Assignment) -> list[tuple[pytest.Item, Outcome]]:
    """The assignment's tests, collected (not run) with the grader plugin: items and outcomes."""
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
