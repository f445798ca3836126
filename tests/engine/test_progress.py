"""Training tests show a progress line on the judge's terminal, never in results.json."""

import json
import re
import subprocess
import sys

ASSIGNMENT = """\
[assignment]
name = "progress"
title = "Progress lines"

[training]
epochs = 3
batch_size = 16

[training.Tiny]
steps = 40

[calibration]
models = ["models.Tiny", "models.Wide"]
"""

TESTS = '''\
import time

import pytest


@pytest.mark.training
@pytest.mark.weight(1)
@pytest.mark.number("1.1")
@pytest.mark.parametrize("model", ["Tiny", "Wide"])
def test_accuracy(model):
    """Model reaches the threshold"""
    time.sleep(0.2)


@pytest.mark.training
@pytest.mark.weight(1)
@pytest.mark.number("2.1")
def test_fit():
    """The loop fits a batch"""


@pytest.mark.weight(1)
@pytest.mark.number("3.1")
def test_shape():
    """Not a training test"""
'''


def test_training_tests_print_what_they_train_and_for_how_long(tmp_path):
    folder = tmp_path / "progress"
    folder.mkdir()
    (folder / "assignment.toml").write_text(ASSIGNMENT)
    (folder / "test_progress.py").write_text(TESTS)
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "pytest", str(folder), "-q", "-p",
                          "no:cacheprovider", "--import-mode=importlib", f"--results-json={out}"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    lines = run.stdout.splitlines()
    progress = [line for line in lines if " ... " in line]
    assert len(progress) == 3, run.stdout
    assert re.fullmatch(r"1\.1\.1 training Tiny \(fixed budget: 40 steps, batch size 16\) "
                        r"\.\.\. \d+ s", progress[0])
    assert progress[1].startswith("1.1.2 training Wide (fixed budget: 3 epochs, batch size 16) ")
    assert progress[2].startswith("2.1 The loop fits a batch: training (fixed budget: 3 epochs")
    assert not any("3.1" in line for line in progress)
    document = json.loads(out.read_text())
    assert document["score"] == 4
    assert "fixed budget" not in json.dumps(document)
    assert all(t["output"] == "" for t in document["tests"])
