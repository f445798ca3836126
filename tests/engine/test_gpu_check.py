"""`make gpu-check` without a GPU (as on CI): the plan, a clear word, nothing measured."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).parents[2] / "bench" / "gpu_check.py"


@pytest.mark.skipif(torch.cuda.is_available(), reason="measures for real where CUDA is")
def test_without_cuda_it_plans_says_why_and_measures_nothing(tmp_path):
    report = tmp_path / "gpu.md"
    done = subprocess.run([sys.executable, str(SCRIPT), "--only", "mnist_nets", "-o",
                           str(report)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "no CUDA device here: nothing was measured" in done.stdout
    assert "mnist_nets: calibrate cuda (at most 90 s): grader.cli calibrate mnist_nets " \
        "--device cuda" in done.stdout
    assert "mnist_nets: grade reference on cpu" in done.stdout
    text = report.read_text()
    assert "| mnist_nets: grade reference on cuda | planned | 0.0 |  |" in text
    assert "| mnist_nets | no results.json |" in text
    assert not (SCRIPT.parents[1] / "docs" / "calibration" / "mnist_nets-cuda.md").exists()
