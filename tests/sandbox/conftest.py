"""Helpers for the sandbox tests: the example assignment with its own limits, graded sandboxed."""

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from grader.assignment import Assignment, loading
from grader.judge import runner

HERE = Path(__file__).parent
EXAMPLE = HERE.parent / "fixtures" / "example"
GOOD = HERE.parent / "fixtures" / "submissions" / "good"
# -k selection: one test of add(), then two that a fresh worker must still serve.
ADD_THEN_OTHERS = ("-k", "test_add or test_partial_credit or test_model_handle")
HONEST_OTHERS = {"2.1": (4, 4, "passed"), "3.2": (1, 1, "passed")}

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: the judge switches "
                                "the worker to a user of its own")
# Root in a container without CAP_SYS_ADMIN (Docker's default) may not unshare namespaces.
NAMESPACES = os.geteuid() == 0 and subprocess.run(
    ["unshare", "--mount", "--net", "--ipc", "true"], capture_output=True,
    check=False).returncode == 0
needs_namespaces = pytest.mark.skipif(not NAMESPACES, reason="needs root allowed to unshare "
                                      "mount, network and IPC namespaces")
# Without namespaces the worker's user reaches the interpreter through the host's folders.
PYTHON_REACHABLE = all(p.stat().st_mode & stat.S_IXOTH
                       for p in Path(os.path.realpath(sys.executable)).parents)
needs_file_modes = pytest.mark.skipif(
    os.geteuid() != 0 or not PYTHON_REACHABLE, reason="needs root, and an interpreter that "
    "other users can reach without namespaces (this one lies in a folder they cannot enter)")


def rows(document: dict) -> dict:
    return {t["number"]: (t["score"], t["max_score"], t["status"]) for t in document["tests"]}


def output_of(document: dict, number: str) -> str:
    return next(t["output"] for t in document["tests"] if t["number"] == number)


@pytest.fixture
def example(tmp_path):
    """The example assignment, copied, with `[grading]` settings of the test's choosing."""
    def make(**grading) -> Assignment:
        root = tmp_path / f"example-{len(list(tmp_path.glob('example-*')))}"
        shutil.copytree(EXAMPLE, root)
        table = "".join(f"{k} = {v!r}\n" for k, v in grading.items() if k != "worker")
        worker = "".join(f"{k} = {v!r}\n" for k, v in grading.get("worker", {}).items())
        with open(root / "assignment.toml", "a") as f:
            f.write(f"\n[grading]\n{table}\n[grading.worker]\n{worker}")
        return loading.load(root.resolve())
    return make


def faulty_submission(fault: str, folder: Path) -> Path:
    """The example's good submission whose add() is replaced by faults/<fault>.py's."""
    folder.mkdir(exist_ok=True)
    good = (GOOD / "calc.py").read_text()
    (folder / "calc.py").write_text(good + "\n\n" + (HERE / "faults" / f"{fault}.py").read_text())
    return folder


@pytest.fixture
def grade_sandboxed(tmp_path, valid_results):
    """Grade a submission (a folder, or the name of a fault) with the sandbox.

    results.json must be complete and valid.
    """
    def grade(assignment: Assignment, submission: str | Path, *args: str) -> dict:
        if isinstance(submission, str):
            submission = faulty_submission(submission, tmp_path / f"submission-{submission}")
        out = tmp_path / f"results-{len(list(tmp_path.glob('results-*')))}.json"
        document = runner.grade(assignment, submission, out, device="cpu", sandbox=True,
                                extra_args=args)
        return valid_results(document)
    return grade


def start_probe(**worker):
    """The probe submission (tests/sandbox/submissions/probe) behind a sandboxed worker
    with `[grading.worker]` settings `worker`."""
    from grader.judge.client import Proxy
    from grader.sandbox import SandboxBackend

    assignment = Assignment(root=EXAMPLE.resolve(), name="probe", title="probe",
                            files=("probe.py",), call_timeout_s=30,
                            config={"grading": {"worker": worker}})
    backend = SandboxBackend(HERE / "submissions" / "probe", ["probe"], assignment=assignment)
    return Proxy(backend, ["probe"])


@pytest.fixture(scope="module", params=["warm", "cold"])
def probe(request):
    """The probe behind a worker forked by the judge's zygote, then behind one that
    imports torch itself (`grader.sandbox.starts`): every protection holds both ways."""
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "cold":
            patch.setenv("GRADER_WORKER_START", "cold")
        submission = start_probe()
        yield submission
        submission.close()


def without_namespaces(monkeypatch) -> None:
    """Sandbox as where namespaces are refused (Docker): the launcher does not try them."""
    from grader.sandbox.backend import SandboxBackend

    policy = SandboxBackend._policy
    monkeypatch.setattr(SandboxBackend, "_policy",
                        lambda self, *args: replace(policy(self, *args), isolate=False))
