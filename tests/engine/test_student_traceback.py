"""What a student sees when a public test fails under plain `pytest` in their folder:
the test's line and their own code's error, never the seam's plumbing."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
BUGS = {  # file -> (correct line, the student's mistake)
    "metrics.py": ("return sum(p.numel() for p in model.parameters())",
                   "return sum(p.numel() for p in model.paramters())"),
    "models.py": ("return self.fc_layers(x.flatten(1))", "return self.fc_layers(x)"),
}


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def student_run(tmp_path_factory) -> tuple[Path, str]:
    """The handout with the reference's code and one bug per file; pytest's output there."""
    folder = tmp_path_factory.mktemp("handout") / "mnist_nets"
    shutil.copytree(ROOT / "student_template/mnist_nets", folder)
    for module in (ROOT / "solutions/mnist_nets").glob("*.py"):
        shutil.copy(module, folder)
    for name, (right, wrong) in BUGS.items():
        source = (folder / name).read_text()
        assert source.count(right) == 1, f"{name} no longer holds {right!r}"
        (folder / name).write_text(source.replace(right, wrong))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:warnings",
         "test_metrics.py::test_count_parameters", "test_models.py::test_simple_fc_structure",
         "test_models.py::test_output_shape[SimpleFC]"],
        cwd=folder, capture_output=True, text=True, timeout=300, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1"})
    assert "3 failed" in run.stdout, run.stdout[-3000:] + run.stderr[-3000:]
    return folder, run.stdout


def test_the_students_file_and_line_are_shown(student_run):
    folder, output = student_run
    for name, (_, wrong) in BUGS.items():
        assert f"{name}, line {line_of(folder / name, wrong)}" in output
    assert "AttributeError" in output and "'paramters'" in output
    forward = line_of(folder / "models.py", BUGS["models.py"][1])
    assert (f"while running SimpleFC.forward (models.py, line {forward}; called from the "
            "grader's describe): addmm") in output  # test_simple_fc_structure's helper


def test_the_tests_own_line_is_shown(student_run):
    folder, output = student_run
    call = "submission.metrics.count_parameters(remote)"
    assert f"test_metrics.py:{line_of(folder / 'test_metrics.py', call)}: SubmissionError" \
        in output
    assert f">       checks.check_equal({call}," in output


def test_the_seams_frames_are_hidden(student_run):
    _, output = student_run
    assert "grader/judge/client.py" not in output
    assert "def request(" not in output and "grader/worker/" not in output
