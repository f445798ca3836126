"""`grader build`: reproducible zips, and the autograder run in a Gradescope-like layout."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from course import NAME, PROJECT, run_pytest

from grader import cli
from grader import config as configs
from grader.authoring import data, package
from grader.authoring.leaks import leaks
from grader.authoring.project import Project
from grader.authoring.skeleton import transform_tree
from grader.config import ConfigError


def sandbox_args() -> str:
    """Grade in the sandbox where the worker exists; the in-process backend until then."""
    try:
        from grader.sandbox import SandboxBackend  # noqa: F401
    except ImportError:
        return "--no-sandbox"
    return ""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture course built twice, into two folders."""
    outs = [tmp_path_factory.mktemp(f"dist{i}") for i in range(2)]
    for out in outs:
        assert cli.main(["build", NAME, "-o", str(out), "--project", str(PROJECT)]) == 0
    return outs


def test_builds_are_reproducible_byte_for_byte(built):
    for kind in ("autograder", "student"):
        first, second = (out / f"{NAME}-{kind}.zip" for out in built)
        assert first.read_bytes() == second.read_bytes(), kind


def test_autograder_zip_layout(built):
    with zipfile.ZipFile(built[0] / f"{NAME}-autograder.zip") as z:
        infos = {i.filename: i for i in z.infolist()}
        names = list(infos)
        requirements = z.read("requirements.txt").decode()
    assert names == sorted(names)
    assert {"setup.sh", "run_autograder", "requirements.txt", "pyproject.toml",
            "grader/plugin.py", f"assignments/{NAME}/assignment.toml",
            f"assignments/{NAME}/test_hidden.py", f"assignments/{NAME}/test_public.py",
            f"assignments/{NAME}/golden/secret_scale.safetensors",
            f"solutions/{NAME}/calc.py"} <= set(names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos.values())
    assert infos["run_autograder"].external_attr >> 16 == 0o100755
    assert infos["grader/plugin.py"].external_attr >> 16 == 0o100644
    assert requirements.startswith("--index-url https://download.pytorch.org/whl/cpu\n")
    assert "torch==" in requirements


def test_student_zip_has_the_handout_and_nothing_hidden(built, project):
    with zipfile.ZipFile(built[0] / f"{NAME}-student.zip") as z:
        files = {n: z.read(n) for n in z.namelist()}
    assert {f"{NAME}/calc.py", f"{NAME}/test_public.py", f"{NAME}/README.md",
            f"{NAME}/requirements.txt", f"{NAME}/golden/softmax.safetensors",
            f"{NAME}/grader-package/pyproject.toml",
            f"{NAME}/grader-package/grader/checks.py"} <= set(files)
    assert files[f"{NAME}/calc.py"] == (PROJECT / "student_template" / NAME / "calc.py").read_bytes()
    handout = {n: v for n, v in files.items() if "/grader-package/" not in n}
    assert leaks(project, project.assignment(NAME), handout) == []
    assert leaks(project, project.assignment(NAME), files, solution_code=False) == []
    assert not [n for n in files if "hidden" in n or "secret" in n or "solutions/" in n]


def test_unpacked_handout_runs_its_public_tests_against_the_skeleton(built, tmp_path):
    with zipfile.ZipFile(built[0] / f"{NAME}-student.zip") as z:
        z.extractall(tmp_path)
    out = tmp_path / "results.json"
    run = run_pytest(tmp_path / NAME, f"--results-json={out}")
    assert run.returncode == 1, run.stdout[-3000:]
    rows = json.loads(out.read_text())["tests"]
    assert [r["status"] for r in rows] == ["failed", "failed"]
    assert all("TODO" in r["output"] for r in rows)


def gradescope_root(tmp_path: Path, autograder_zip: Path, submission: Path) -> Path:
    """A folder laid out like /autograder, with `submission`'s files to grade."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    shutil.copytree(submission, root / "submission")
    (root / "results").mkdir()
    (root / "submission_metadata.json").write_text(json.dumps(
        {"id": 1, "assignment": {"title": NAME}, "users": [], "previous_submissions": []}))
    return root


def run_script(root: Path, script: Path, **env: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "GRADER_AUTOGRADER_ROOT": str(root),
           "GRADER_PYTHON": sys.executable, **env}
    return subprocess.run(["bash", str(script)], cwd=root, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def grade_in_layout(tmp_path, autograder_zip: Path, submission: Path, valid_results) -> dict:
    root = gradescope_root(tmp_path, autograder_zip, submission)
    run = run_script(root, root / "run_autograder",
                     GRADER_GRADE_ARGS=f"--device cpu {sandbox_args()}")
    assert run.returncode == 0, run.stderr[-3000:]
    return valid_results(json.loads((root / "results" / "results.json").read_text()))


def assignments_to_build() -> list[tuple[Project, str]]:
    repository = Project()
    return [(Project(PROJECT), NAME)] + [(repository, n) for n in repository.names()]


@pytest.mark.parametrize("project_name", assignments_to_build(), ids=lambda p: p[1])
def test_gradescope_layout_reference_full_marks_skeleton_zero(project_name, tmp_path,
                                                              valid_results):
    project, name = project_name
    package.build(project, name, tmp_path / "dist")
    autograder_zip = tmp_path / "dist" / f"{name}-autograder.zip"
    assignment = project.assignment(name)
    reference = grade_in_layout(tmp_path / "reference", autograder_zip,
                                project.reference(assignment), valid_results)
    assert reference["tests"], reference["output"]
    total = sum(t["max_score"] for t in reference["tests"])
    failed = [t for t in reference["tests"] if t["status"] != "passed"]
    assert reference["score"] == total and not failed, failed
    if not sandbox_args():
        assert reference["extra_data"]["backend"] == "sandbox"

    skeleton = tmp_path / "skeleton"
    transform_tree(project.reference(assignment), skeleton)
    zero = grade_in_layout(tmp_path / "zero", autograder_zip, skeleton, valid_results)
    assert zero["score"] == 0
    assert [t["name"] for t in zero["tests"]] == [t["name"] for t in reference["tests"]]
    assert all(t["status"] == "failed" for t in zero["tests"])


def test_setup_sh_parses_and_prepares_datasets_offline(built, tmp_path):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(built[0] / f"{NAME}-autograder.zip") as z:
        z.extractall(root / "source")
    setup = root / "source" / "setup.sh"
    assert subprocess.run(["bash", "-n", str(setup)], check=False).returncode == 0
    run = run_script(root, setup, GRADER_SETUP_STEPS="datasets")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "mnist-embedded/heldout: 2000 images from mnist-embedded" in run.stdout
    assert list((root / "cache").glob("*.safetensors"))  # decoded once, at setup
    bad = run_script(root, setup, GRADER_SETUP_STEPS="no_such_step")
    assert bad.returncode != 0


def test_run_autograder_writes_results_even_when_the_grader_cannot_start(built, tmp_path,
                                                                         valid_results):
    root = gradescope_root(tmp_path, built[0] / f"{NAME}-autograder.zip",
                           PROJECT / "solutions" / NAME)
    run = run_script(root, root / "run_autograder", GRADER_PYTHON="/nonexistent/python")
    assert run.returncode == 0
    document = valid_results(json.loads((root / "results" / "results.json").read_text()))
    assert document["score"] == 0 and "autograder crashed (exit status 127)" in document["output"]


def test_prepared_datasets_are_the_declared_ones_and_the_training_one(course):
    config = course.assignments / NAME / "assignment.toml"
    text = config.read_text()
    config.write_text(text.replace('datasets = ["mnist-embedded"]',
                                   'datasets = ["synthetic-cifar10"]'))
    assert data.declared(course.assignment(NAME)) == ["synthetic-cifar10", "mnist-embedded"]
    config.write_text(text.replace('datasets = ["mnist-embedded"]', 'datasets = ["imagenet"]'))
    configs.load.cache_clear()  # the engine parses each assignment.toml once per process
    with pytest.raises(ConfigError, match=r"\['imagenet'\] are not registered"):
        data.declared(course.assignment(NAME))
