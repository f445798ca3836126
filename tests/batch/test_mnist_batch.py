"""`grader batch` on eight mnist_nets submissions from a Gradescope export, two at a time.

Every results.json must be what `grader grade` writes for the same submission; a
batch killed half-way and resumed grades only what was missing. The same batch on
a local Ray instance gives the same gradebook. Graded with the fast tests only
(models, data, metrics), which is what `--pytest-args` is for.
"""

import csv
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import without_timings
from PIL import Image

from grader.assignment import PACKAGE_ROOT

REFERENCE = PACKAGE_ROOT / "solutions" / "mnist_nets"
SKELETON = PACKAGE_ROOT / "student_template" / "mnist_nets"
SELECTION = ["-m", "not training", "-k", "test_models or test_data or test_metrics"]
FORK_BOMB = '''

def count_macs(model, input_size):
    """Hostile: as many processes as it may start (bounded, to be kind to the machine)."""
    import os, time
    for _ in range(300):
        try:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
        except OSError:
            break
    raise RuntimeError("forked as many processes as it could")
'''
CRASH = '''

def count_parameters(model):
    import os
    os._exit(3)
'''
MEGABYTES = '''

def model_size_mb(model):
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors) / 1e6
'''
# name -> (file, reference text, replacement); appended text when the reference text is None
PATCHES = {
    "no_relu": ("models.py", "nn.Linear(256, 128), nn.ReLU(), nn.Dropout(dropout)",
                "nn.Linear(256, 128), nn.Dropout(dropout)"),
    "no_normalization": ("data.py", "    if normalize:\n", "    if False:\n"),
    "megabytes": ("metrics.py", None, MEGABYTES),
    "crashes": ("metrics.py", None, CRASH),
    "fork_bomb": ("metrics.py", None, FORK_BOMB),
}
STUDENTS = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra",
            "Barbara Liskov", "Donald Knuth", "Frances Allen", "John Backus"]


def make_submissions(root: Path) -> dict[str, Path]:
    """The reference, the skeleton, three wrong, a crashing, a hostile and an incomplete one."""
    def copy(source: Path, name: str) -> Path:
        return shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))

    folders = {"reference": copy(REFERENCE, "reference"), "skeleton": copy(SKELETON, "skeleton")}
    for name, (file, old, new) in PATCHES.items():
        folder = copy(REFERENCE, name)
        source = (folder / file).read_text()
        if old is None:
            source += new
        else:
            assert source.count(old) == 1, f"the reference no longer contains {old!r}"
            source = source.replace(old, new)
        (folder / file).write_text(source)
        folders[name] = folder
    folders["missing_metrics"] = copy(REFERENCE, "missing_metrics")
    (folders["missing_metrics"] / "metrics.py").unlink()
    return folders


def gradescope_export(path: Path, folders: dict[str, Path]) -> dict[str, str]:
    """Gradescope's "Export Submissions" zip of `folders`; returns submission id -> name."""
    names, metadata = {}, []
    with zipfile.ZipFile(path, "w") as archive:
        for number, (name, folder) in enumerate(folders.items(), start=101):
            key = f"submission_{number}"
            names[key] = STUDENTS[number - 101]
            metadata += [f"{key}:", "  :submitters:", f"  - :name: {names[key]}",
                         f"    :email: {name}@example.edu", f"    :sid: '{number}'"]
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    archive.write(file, f"assignment_1_export/{key}/{file.relative_to(folder)}")
        archive.writestr("assignment_1_export/submission_metadata.yml", "\n".join(metadata))
    return names


def snapshot(root: Path) -> Path:
    """A copy of mnist_nets and its reference, laid out as in the repository: every grading
    here grades with the same tests, even while the checkout changes."""
    for folder in ("assignments", "solutions"):
        shutil.copytree(PACKAGE_ROOT / folder / "mnist_nets", root / folder / "mnist_nets",
                        ignore=shutil.ignore_patterns("__pycache__"))
    return root / "assignments" / "mnist_nets"


def grader_grade(assignment: Path, submission: Path, output: Path) -> dict:
    subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(assignment),
                    str(submission), "-o", str(output)], check=True, capture_output=True,
                   env={**os.environ, "PYTEST_ADDOPTS": shlex.join(SELECTION)})
    return json.loads(output.read_text())


def batch_command(assignment: Path, export: Path, out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "grader.cli", "batch", str(assignment), str(export), "-o",
            str(out), "--jobs", "2", "--pytest-args", shlex.join(SELECTION), *options]


def kill_half_way(command: list[str], out: Path, total: int) -> subprocess.CompletedProcess:
    """Start a batch and send it SIGTERM once half its submissions are graded."""
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while len(list(out.glob("*/grading.json"))) < total // 2 and batch.poll() is None:
        time.sleep(0.2)
    batch.send_signal(signal.SIGTERM)
    output, _ = batch.communicate(timeout=120)
    return subprocess.CompletedProcess(command, batch.returncode, output)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("mnist_batch")
    assignment = snapshot(root / "course")
    folders = make_submissions(root / "submissions")
    names = gradescope_export(root / "export.zip", folders)
    ids = {name: f"submission_{n}" for n, name in enumerate(folders, start=101)}
    with ThreadPoolExecutor(2) as pool:  # what `grader grade` writes, two at a time
        expected = dict(zip(folders, pool.map(
            lambda name: grader_grade(assignment, folders[name], root / "grade" / f"{name}.json"),
            folders)))
    out = root / "out"
    killed = kill_half_way(batch_command(assignment, root / "export.zip", out), out,
                           len(folders))
    done_before = {p.parent.name: (p.parent / "results.json").stat().st_mtime_ns
                   for p in out.glob("*/grading.json")}
    resumed = subprocess.run(batch_command(assignment, root / "export.zip", out, "--resume"),
                             capture_output=True, text=True, timeout=1800, check=False)
    return {"root": root, "assignment": assignment, "ids": ids, "names": names, "expected": expected, "out": out,
            "killed": killed, "done_before": done_before, "resumed": resumed}


def same_grading(batched: dict, expected: dict, name: str) -> bool:
    """Equal but for timings; for the fork bomb, whose messages carry the memory its
    processes happened to reach when the watchdog stopped them, equal scores and statuses."""
    if name == "fork_bomb":
        batched, expected = ([(t["name"], t["score"], t["status"]) for t in doc["tests"]]
                             for doc in (batched, expected))
        return batched == expected
    return without_timings(batched) == without_timings(expected)


def test_every_results_json_is_what_grader_grade_writes(graded, valid_results):
    assert graded["resumed"].returncode == 0, graded["resumed"].stderr[-3000:]
    for name, expected in graded["expected"].items():
        batched = json.loads((graded["out"] / graded["ids"][name] / "results.json").read_text())
        assert same_grading(valid_results(batched), expected, name), name


@pytest.mark.skipif(os.geteuid() != 0, reason="worker users exist only when the judge is root")
def test_concurrent_gradings_have_worker_users_of_their_own(graded):
    users = {json.loads((graded["out"] / submission / "results.json").read_text())
             ["extra_data"]["sandbox"]["user"] for submission in graded["ids"].values()}
    assert len(users) >= 2, users


def test_the_class_scores_as_it_should(graded):
    scores = {name: doc["score"] for name, doc in graded["expected"].items()}
    full = sum(t["max_score"] for t in graded["expected"]["reference"]["tests"])
    assert scores["reference"] == full and scores["skeleton"] == 0
    wrong = {"no_relu", "no_normalization", "megabytes", "crashes", "fork_bomb",
             "missing_metrics"}
    assert all(0 < scores[name] < full for name in wrong), scores
    crashed = {t["number"]: t["status"] for t in graded["expected"]["crashes"]["tests"]}
    assert crashed["5.1"] == "failed" and crashed["5.2"] == "passed"  # a fresh worker goes on


def test_a_killed_batch_resumes_where_it_stopped(graded):
    killed, done_before = graded["killed"], graded["done_before"]
    assert killed.returncode == 130, killed.stdout[-3000:]
    assert "--resume" in killed.stdout
    assert 4 <= len(done_before) < 8
    lines = graded["resumed"].stderr.splitlines()
    kept = {line.split()[1].rstrip(":") for line in lines if "already graded" in line}
    assert kept == set(done_before)
    for submission, mtime in done_before.items():
        assert (graded["out"] / submission / "results.json").stat().st_mtime_ns == mtime
    assert len([line for line in lines if line.startswith("[")]) == 8


def test_gradebook_has_a_row_per_student_and_a_column_per_test(graded):
    with open(graded["out"] / "gradebook.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    by_id = {row["submission"]: row for row in rows}
    assert sorted(by_id) == sorted(graded["ids"].values())
    tests = graded["expected"]["reference"]["tests"]
    for name, submission in graded["ids"].items():
        row = by_id[submission]
        assert row["names"] == graded["names"][submission]
        assert row["emails"] == f"{name}@example.edu"
        assert float(row["total"]) == graded["expected"][name]["score"]
        assert row["problem"] == ""
    assert len(rows[0]) == 7 + len(tests)


def test_pictures_are_valid_pngs(graded):
    for picture in ("scores.png", "pass_rates.png"):
        with Image.open(graded["out"] / picture) as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] >= 600
    summary = (graded["out"] / "summary.md").read_text()
    assert "![scores](scores.png)" in summary and "grader problems" not in summary


@pytest.mark.slow
def test_the_same_batch_on_a_local_ray_instance_gives_the_same_gradebook(graded):
    out = graded["root"] / "out-ray"
    ray = subprocess.run(batch_command(graded["assignment"], graded["root"] / "export.zip", out,
                                       "--ray", "local"),
                         capture_output=True, text=True, timeout=1800, check=False)
    assert ray.returncode == 0, ray.stderr[-3000:]
    assert (out / "gradebook.csv").read_text() == (graded["out"] / "gradebook.csv").read_text()
    for name, expected in graded["expected"].items():
        batched = json.loads((out / graded["ids"][name] / "results.json").read_text())
        assert same_grading(batched, expected, name), name
