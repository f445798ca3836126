"""`grader grade` runs student code sandboxed by default and says how in results.json."""

import json
import os

import pytest

from grader import cli
from tests.sandbox.conftest import EXAMPLE, HERE, NAMESPACES, rows

pytestmark = pytest.mark.slow
GOOD = HERE.parent / "fixtures" / "submissions" / "good"


def grade(tmp_path, *flags: str) -> dict:
    out = tmp_path / "results.json"
    assert cli.main(["grade", str(EXAMPLE), str(GOOD), "-o", str(out), "--device", "cpu",
                     *flags]) == 0
    return json.loads(out.read_text())


def test_grade_defaults_to_the_sandbox_and_lists_its_protections(tmp_path, valid_results):
    document = valid_results(grade(tmp_path))
    sandbox = document["extra_data"]["sandbox"]
    assert sandbox["backend"] == "sandbox"
    assert sandbox["worker"].startswith("separate process: python -I")
    assert sandbox["worker_start"].startswith("warm: forked from the judge's zygote")
    assert {"user", "network", "hidden_paths", "rlimits", "memory_watchdog_mb",
            "call_timeout_s", "time_budget_s", "not_active"} <= set(sandbox)
    if NAMESPACES:
        assert sandbox["not_active"] == [] and sandbox["user"].startswith("grader-w")
    elif os.geteuid() != 0:  # said plainly, not silently dropped
        assert any(line.startswith("user: not switched") for line in sandbox["not_active"])


def test_no_sandbox_gives_the_same_rows_and_says_nothing_protected(tmp_path, valid_results):
    boxed = grade(tmp_path / "boxed")
    plain = valid_results(grade(tmp_path / "plain", "--no-sandbox"))
    assert rows(plain) == rows(boxed)
    assert plain["extra_data"]["sandbox"]["backend"] == "in-process"
    assert plain["extra_data"]["sandbox"]["not_active"]
