"""What one grading writes never reaches a later grading on the same machine.

`grader batch`, `grader mutate` and a self-hosted CI runner grade many submissions
one after another as the same pool users. The payload persist_left_behind, graded on
the reference, leaves its solution in every world-writable folder it finds, HOME, a
SysV shared memory segment and its user's keyring; graded next on the empty skeleton,
it runs whatever it finds. The second grading must score what the skeleton scores,
and nothing of the first may be left on the host.
"""

import json
import os
from pathlib import Path

import pytest

from grader.judge import runner
from grader.sandbox import writable
from tests.attacks.conftest import Attack, build_submission, expected_rows, rows
from tests.sandbox.conftest import (
    needs_file_modes,
    needs_namespaces,
    needs_root,
    without_namespaces,
)

pytestmark = [pytest.mark.slow, needs_root]

LEAVE = Attack("persist", "persist_left_behind", attacked=())
PICK_UP = Attack("persist", "persist_left_behind", base="empty")
SHM_KEY = 0x6C656674  # the payload's


def dropped(document: dict) -> list[str]:
    """Where the payload says it left the solution."""
    return [line.split(" ", 1)[1] for t in document["tests"]
            for line in t["output"].splitlines() if line.startswith("dropped ")]


def shared_memory_keys() -> set[int]:
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return {int(line.split()[0]) for line in lines}


@pytest.mark.parametrize("isolation", [
    pytest.param("namespaces", marks=needs_namespaces),
    pytest.param("file modes", marks=needs_file_modes),
])
def test_a_solution_left_behind_never_reaches_the_next_grading(
        isolation, monkeypatch, assignment, baseline, tmp_path, valid_results):
    if isolation == "file modes":
        without_namespaces(monkeypatch)

    def grade(attack: Attack, name: str) -> dict:
        submission = build_submission(attack, tmp_path / name, {})
        document = runner.grade(assignment, submission, tmp_path / f"{name}.json",
                                device="cpu", sandbox=True, extra_args=("-k", attack.select))
        return valid_results(document)

    first = grade(LEAVE, "leave")
    graded = rows(first)
    assert graded == expected_rows(LEAVE, baseline, list(graded))
    places = dropped(first)
    assert "/run/lock/grader-left-behind-models.py" in places, places
    assert "key:user" not in places, "the keyrings should be closed to the worker"
    left = [p for p in places if ":" not in p and os.path.lexists(p)]
    assert left == [], "the first grading's files outlived it"
    assert SHM_KEY not in shared_memory_keys(), "its shared memory segment outlived it"
    sandbox = first["extra_data"]["sandbox"]
    assert ("private tmpfs" if isolation == "namespaces" else "removed") in sandbox["writable_by"]
    assert (sandbox["not_active"] == []) == (isolation == "namespaces"), sandbox["not_active"]

    second = grade(PICK_UP, "pick-up")
    graded = rows(second)
    assert graded == expected_rows(PICK_UP, baseline, list(graded))
    assert "BREACH" not in json.dumps(second), [
        t["output"] for t in second["tests"] if "BREACH" in t["output"]]
    assert not any(os.path.lexists(Path(d) / "grader-left-behind-models.py")
                   for d in writable.world_writable())
