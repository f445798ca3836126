"""The GitHub Actions templates: they pass actionlint, and the handout carries the student's."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.authoring import package
from grader.authoring.project import Project

WORKFLOWS = Path(package.__file__).with_name("workflows")
FIXTURE_COURSE = Path(__file__).parents[1] / "fixtures" / "project"
# actionlint knows GitHub's runner labels; a self-hosted runner's own are declared.
CONFIG = "self-hosted-runner:\n  labels: [gpu]\n"


def actionlint() -> str | None:
    return shutil.which("actionlint", path=str(Path(sys.executable).parent)) or \
        shutil.which("actionlint")


@pytest.mark.skipif(actionlint() is None, reason="actionlint is not installed "
                    "(requirements-dev.txt pins it)")
@pytest.mark.parametrize("workflow", ["grade.yml", "grade-gpu.yml"])
def test_workflow_passes_actionlint(workflow, tmp_path):
    config = tmp_path / "actionlint.yaml"
    config.write_text(CONFIG)
    lint = subprocess.run([actionlint(), "-config-file", str(config), str(WORKFLOWS / workflow)],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_student_handout_has_the_push_workflow_and_not_the_gpu_one():
    project = Project(FIXTURE_COURSE)
    files = package.student_files(project, project.assignment("calc_basics"))
    assert files["calc_basics/.github/workflows/grade.yml"] == \
        (WORKFLOWS / "grade.yml").read_bytes()
    workflows = [name for name in files if "/.github/" in name]
    assert workflows == ["calc_basics/.github/workflows/grade.yml"]


def test_the_gpu_workflow_keeps_hidden_tests_out_of_student_repositories():
    text = (WORKFLOWS / "grade-gpu.yml").read_text()
    assert "runs-on: [self-hosted, gpu]" in text
    assert "GRADER_COURSE_DIR" in text and "secrets.GRADER_COURSE_TOKEN" in text
    assert "on:\n  workflow_dispatch:" in text and "push:" not in text  # run by staff only
