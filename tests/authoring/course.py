"""The small course the authoring tests work on (tests/fixtures/project), and helpers."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

PROJECT = Path(__file__).parents[1] / "fixtures" / "project"
NAME = "calc_basics"


def run_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Plain `pytest` as a student runs it (the grader plugin loads through its entry point)."""
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
                          timeout=300, check=False)


def sandbox_args() -> str:
    """Grade in the sandbox where the worker exists; the in-process backend until then."""
    try:
        from grader.sandbox import SandboxBackend  # noqa: F401
    except ImportError:
        return "--no-sandbox"
    return ""


def gradescope_root(tmp_path: Path, autograder_zip: Path, submission: Path) -> Path:
    """A folder laid out like /autograder, with `submission`'s files to grade."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    shutil.copytree(submission, root / "submission")
    (root / "results").mkdir()
    title = autograder_zip.name.removesuffix("-autograder.zip")
    (root / "submission_metadata.json").write_text(json.dumps(
        {"id": 1, "assignment": {"title": title}, "users": [], "previous_submissions": []}))
    return root


def run_script(root: Path, script: Path, **env: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "GRADER_AUTOGRADER_ROOT": str(root),
           "GRADER_PYTHON": sys.executable, **env}
    return subprocess.run(["bash", str(script)], cwd=root, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def grade_in_layout(tmp_path, autograder_zip: Path, submission: Path, valid_results) -> dict:
    """Grade `submission` with the zip's run_autograder, as Gradescope does; its results.json."""
    root = gradescope_root(tmp_path, autograder_zip, submission)
    run = run_script(root, root / "run_autograder",
                     GRADER_GRADE_ARGS=f"--device cpu {sandbox_args()}")
    assert run.returncode == 0, run.stderr[-3000:]
    return valid_results(json.loads((root / "results" / "results.json").read_text()))
