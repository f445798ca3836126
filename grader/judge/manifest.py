"""The expected test set of an assignment: every test's id, name, number, points, visibility.

`grader template` collects the assignment's tests (grader.judge.collection) and
writes `expected_tests.json` beside its assignment.toml (and `grader template
--check` fails when it is stale). When grading, a test file that cannot be
collected still yields a failing row for each of its tests, so the maximum score
never shrinks and the student sees a grader problem, not a smaller total.
"""

from __future__ import annotations

import json
from pathlib import Path

NAME = "expected_tests.json"


def load(root: Path) -> list[dict]:
    """The expected tests of the assignment at `root` ([] when none were written)."""
    path = root / NAME
    return json.loads(path.read_text())["tests"] if path.is_file() else []
