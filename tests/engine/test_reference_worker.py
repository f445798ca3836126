"""The reference's worker (timing tests) lives only from its first test to its last.

Under Gradescope's 768 MB an idle interpreter holding torch, started at the
beginning and kept beside the student's training run, can be what runs out.
"""

import json
import subprocess
import sys

ASSIGNMENT = """\
[assignment]
name = "lazy"
title = "Lazy reference worker"
reference = "reference"
"""

CODE = "def double(x):\n    return 2 * x\n"

TESTS = '''\
import pytest

from grader.judge.plugin import SESSION


def workers(request):
    return sorted(which for _, which in request.config.stash[SESSION].submissions)


@pytest.mark.weight(1)
@pytest.mark.number("1")
def test_before(request, submission):
    """Only the student's worker runs before the first timing test"""
    assert workers(request) == ["submission"]


@pytest.mark.weight(1)
@pytest.mark.number("2")
def test_timing(request, submission, reference):
    """The timing test has the reference's worker"""
    assert workers(request) == ["reference", "submission"]
    assert submission.calc.double(3) == reference.calc.double(3) == 6


@pytest.mark.weight(1)
@pytest.mark.number("3")
def test_after(request, submission):
    """The reference's worker has ended after its last test"""
    assert workers(request) == ["submission"]
'''


def test_reference_worker_starts_at_its_first_test_and_ends_after_its_last(tmp_path):
    folder = tmp_path / "lazy"
    for where in (folder / "reference", tmp_path / "student"):
        where.mkdir(parents=True)
        (where / "calc.py").write_text(CODE)
    (folder / "assignment.toml").write_text(ASSIGNMENT)
    (folder / "test_lazy.py").write_text(TESTS)
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(folder),
                          str(tmp_path / "student"), "-o", str(out)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    document = json.loads(out.read_text())
    assert [(t["number"], t["status"]) for t in document["tests"]] == [
        ("1", "passed"), ("2", "passed"), ("3", "passed")], (run.stdout, document)
