"""The attack harness: grade a hostile submission against mnist_nets and judge the judge.

A hostile submission is the reference solution (or the honest empty skeleton)
with a payload from payloads/<name>/ appended to its modules; files of a payload
that are not part of the assignment are shipped beside them. Payloads read their
targets from `TARGETS` and write what they achieved to fd 1 as `BREACH ...`, which
would land in their own results output.
"""

import hashlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.assignment import PACKAGE_ROOT, loading
from grader.judge import runner

ASSIGNMENT = PACKAGE_ROOT / "assignments" / "mnist_nets"
BASES = {"reference": PACKAGE_ROOT / "solutions" / "mnist_nets",
         "empty": PACKAGE_ROOT / "student_template" / "mnist_nets"}
PAYLOADS = Path(__file__).parent / "payloads"
collect_ignore = ["payloads"]  # hostile code, never collected (a06 ships a conftest.py)
FAST = "test_count_parameters or test_transform_steps or test_parameter_count"
WATCHED = [PACKAGE_ROOT / "grader", ASSIGNMENT, BASES["reference"]]  # must never change
PRELUDE = '''

# ---- attack payload {name} (appended by tests/attacks) ----
import os as _os

TARGETS = {targets!r}


def _report(message):
    """What the attack achieved goes to its own output, below Python's buffers."""
    _os.write(1, f"{{message}}\\n".encode())

'''


@dataclass(frozen=True)
class Attack:
    row: str                       # the attack catalogue's row, e.g. "A3"
    payload: str                   # folder under payloads/
    attacked: tuple = ("5.1",)     # test numbers (or prefixes) scored like the empty submission
    select: str = FAST             # -k expression: a few fast tests
    base: str = "reference"
    needs: str = ""                # "root" (a user switch) or "namespaces" (no network)
    options: tuple = ()            # more pytest options (limits)

    @property
    def id(self) -> str:
        return f"{self.row}-{self.payload}"


def tree_hashes(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for root in paths for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def rows(document: dict) -> dict:
    return {t["number"]: (t["score"], t["status"]) for t in document["tests"]}


def build_submission(attack: Attack, folder: Path, targets: dict) -> Path:
    """The base's allowed files with the payload appended; other payload files beside them."""
    folder.mkdir()
    for source in BASES[attack.base].glob("*.py"):
        shutil.copyfile(source, folder / source.name)
    for part in sorted((PAYLOADS / attack.payload).iterdir()):
        target = folder / part.name
        if target.exists():
            prelude = PRELUDE.format(name=attack.payload, targets=targets)
            target.write_text(target.read_text() + prelude + part.read_text())
        else:
            shutil.copyfile(part, target)
    return folder


@pytest.fixture(scope="session")
def assignment():
    if not (ASSIGNMENT / "assignment.toml").is_file():
        pytest.skip("assignments/mnist_nets is not there")
    return loading.load(ASSIGNMENT.resolve())


@pytest.fixture(scope="session")
def baseline(assignment, tmp_path_factory):
    """Rows of the reference and of the honest empty submission, graded sandboxed once."""
    from tests.attacks.test_attacks import ATTACKS

    select = " or ".join(sorted({f"({a.select})" for a in ATTACKS}))
    out = tmp_path_factory.mktemp("baseline")
    return {name: rows(runner.grade(assignment, base, out / f"{name}.json", device="cpu",
                                    sandbox=True, extra_args=("-k", select)))
            for name, base in BASES.items()}


@pytest.fixture
def attack_run(assignment, tmp_path, valid_results):
    """Grade one attack; return its results and what the judge's side looked like after."""
    def run(attack: Attack) -> dict:
        out = tmp_path / "results" / "results.json"
        out.parent.mkdir()
        targets = {"results": str(out), "marker": str(tmp_path / "unpickled-in-the-judge"),
                   "judge_pid": os.getpid(), "secrets": [str(p) for p in secrets()],
                   "grader_files": [str(PACKAGE_ROOT / "grader" / n)
                                    for n in ("checks.py", "plugin.py", "results.py")]}
        submission = build_submission(attack, tmp_path / "submission", targets)
        before = tree_hashes(WATCHED)
        document = runner.grade(assignment, submission, out, device="cpu", sandbox=True,
                                extra_args=("-k", attack.select, *attack.options))
        time.sleep(1.0)  # time for a surviving daemon to strike
        return {"document": valid_results(document), "file": out.read_text(),
                "changed_files": changed(before, tree_hashes(WATCHED)),
                "marker": Path(targets["marker"]).exists()}
    return run


def secrets() -> list[Path]:
    """Files the worker must not read: hidden tests, solutions, labels, metadata."""
    return [ASSIGNMENT / "test_metrics.py", ASSIGNMENT / "assignment.toml",
            BASES["reference"] / "metrics.py",
            PACKAGE_ROOT / "grader/toolkit/datasets/embedded/mnist-t10k/t10k-labels-idx1-ubyte.gz",
            Path("/autograder/submission_metadata.json")]


def expected_rows(attack: Attack, baseline: dict, numbers: list[str]) -> dict:
    """Attacked tests score as the honest empty submission; the rest as the reference."""
    def hit(number: str) -> bool:
        return attack.base == "empty" or any(number == a or number.startswith(a + ".")
                                             for a in attack.attacked)
    return {n: baseline["empty" if hit(n) else "reference"][n] for n in numbers}
