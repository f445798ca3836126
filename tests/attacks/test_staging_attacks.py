"""Hostile staging: submissions whose files are links to what only the judge may read, and a
class's zip with a member outside every submission, graded as the judge grades (root, sandbox).

Each must score exactly what its honest twin scores (the same submission without the
links, the class as plain folders), and nothing a link names may reach results.json. The
judge stages as root, so before links were refused a link handed it whatever it named.
"""

import csv
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from grader import cli
from grader.assignment import PACKAGE_ROOT, loading
from grader.judge import runner
from tests.attacks.conftest import ASSIGNMENT, BASES, FAST, rows
from tests.batch.conftest import TINY, tiny_submission
from tests.sandbox.conftest import needs_root

pytestmark = [pytest.mark.slow, needs_root]

CIFAR = PACKAGE_ROOT / "assignments" / "cifar_resnet"
CIFAR_REFERENCE = PACKAGE_ROOT / "solutions" / "cifar_resnet"
GRADED_FILES = ("predictions.csv", "resnet20.safetensors")
# Appended to models.py: prints the file staged as metrics.py into the student's own output.
PRINT_SIBLING = '''

import os as _os

_sibling = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "metrics.py")
if _os.path.exists(_sibling):
    with open(_sibling, "rb") as _file:
        _os.write(1, b"STAGED metrics.py: " + _file.read()[:8000] + b"\\n")
'''


@pytest.fixture
def grade(tmp_path, valid_results):
    """Grade sandboxed with a -k selection; the document and results.json's text."""
    def run(assignment, submission: Path, select: str) -> tuple[dict, str]:
        out = tmp_path / f"{submission.name}.json"
        document = runner.grade(assignment, submission, out, device="cpu", sandbox=True,
                                extra_args=("-k", select))
        return valid_results(document), out.read_text()
    return run


def modules_of(reference: Path, folder: Path) -> Path:
    folder.mkdir()
    for module in reference.glob("*.py"):
        shutil.copyfile(module, folder / module.name)
    return folder


def test_links_to_the_references_graded_files_earn_nothing(tmp_path, grade):
    assignment = loading.load(CIFAR)
    select = "test_predictions_csv or test_resnet20_checkpoint"
    honest = modules_of(CIFAR_REFERENCE, tmp_path / "honest")
    copied = modules_of(CIFAR_REFERENCE, tmp_path / "copied")
    linked = modules_of(CIFAR_REFERENCE, tmp_path / "linked")
    for name in GRADED_FILES:
        shutil.copyfile(CIFAR_REFERENCE / name, copied / name)
    (linked / "predictions.csv").symlink_to(CIFAR_REFERENCE / "predictions.csv")
    (linked / "resnet20.safetensors").symlink_to(
        os.path.relpath(CIFAR_REFERENCE / "resnet20.safetensors", linked))
    earned = rows(grade(assignment, copied, select)[0])
    assert earned == {"6.1": (10, "passed"), "6.2": (10, "passed")}, "what the links name"
    document, _ = grade(assignment, linked, select)
    assert rows(document) == rows(grade(assignment, honest, select)[0])
    assert ("predictions.csv (a symbolic link), resnet20.safetensors (a symbolic link)"
            in document["output"])


def secret_lines(target: Path) -> list[str]:
    """What must not be told: the target's lines, or the entries of an environment block."""
    data = target.read_bytes()
    parts = data.split(b"\0") if target.parent.name == "self" else data.splitlines()
    return [text for text in (p.decode(errors="replace").strip() for p in parts)
            if len(text) >= 12]


@pytest.mark.parametrize("target", [
    ASSIGNMENT / "test_timing.py",        # a hidden test
    ASSIGNMENT / "assignment.toml",       # the judge's configuration
    Path("/proc/self/environ"),           # the judge's environment, read as root
], ids=["hidden-test", "assignment-toml", "proc-self-environ"])
def test_a_module_linked_to_a_judge_only_file_is_never_read(tmp_path, grade, target):
    """The link's target must not reach the student's results, even printed by their code."""
    assignment = loading.load(ASSIGNMENT.resolve())
    twin = modules_of(BASES["reference"], tmp_path / "twin")
    (twin / "metrics.py").unlink()
    (twin / "models.py").write_text((twin / "models.py").read_text() + PRINT_SIBLING)
    hostile = tmp_path / "hostile"
    shutil.copytree(twin, hostile)
    (hostile / "metrics.py").symlink_to(target)
    document, text = grade(assignment, hostile, FAST)
    twin_document, twin_text = grade(assignment, twin, FAST)
    assert [line for line in secret_lines(target) if line in text and line not in twin_text] \
        == []
    assert rows(document) == rows(twin_document)
    assert "metrics.py (a symbolic link)" in document["output"]


def test_a_class_zip_member_outside_every_folder_changes_no_row(tmp_path):
    """An absolute member (`/bob/calc.py`, a right answer) neither becomes a submission nor
    reaches bob's; the gradebook names alice and bob, scored as their folders score."""
    twin = tmp_path / "twin"
    tiny_submission(twin / "alice")
    tiny_submission(twin / "bob", accuracy=0.3, mul_error=" + 1")
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(twin.rglob("*.py")):
            zipped.write(path, f"class/{path.relative_to(twin).as_posix()}")
        # writestr keeps the name as given (write would strip the leading slash)
        zipped.writestr("/bob/calc.py", (twin / "alice" / "calc.py").read_text())
    gradebooks = {}
    for name, source in (("hostile", archive), ("twin", twin)):
        out = tmp_path / f"out-{name}"
        code = cli.main(["batch", str(TINY), str(source), "-o", str(out), "--jobs", "1"])
        with open(out / "gradebook.csv", newline="") as f:
            gradebooks[name] = list(csv.DictReader(f))
        assert code == 0, gradebooks[name]  # a grader problem: its row says which
    assert [row["submission"] for row in gradebooks["hostile"]] == ["alice", "bob"]
    assert gradebooks["hostile"] == gradebooks["twin"]
    assert gradebooks["twin"][0]["total"] != gradebooks["twin"][1]["total"]
