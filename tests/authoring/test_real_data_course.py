"""A course switched to real data by one line calibrates on it and grades its reference at
full marks with the thresholds of that data.

The course's assignment loads its data with a copy of cifar_resnet's or scene_recognition's
datasets.py (the loaders grading uses) and trains a tiny model, so that 20 calibration
seeds take seconds; its data root holds a small sample of CIFAR-10 or 15-Scene in the real
on-disk formats (real_samples.py).
"""

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from course import sandbox_args
from real_samples import write_15scene, write_cifar10

from grader import cli
from grader.assignment import PACKAGE_ROOT

NAME = "realdata"
ASSIGNMENTS = PACKAGE_ROOT / "assignments"

# dataset -> (the files its loaders need, the sample writer, Net's input channels and classes)
REAL = {
    "cifar10": (["cifar_resnet/datasets.py", "cifar_resnet/cifar_data.py"], write_cifar10, 3, 10),
    "15scene": (["scene_recognition/datasets.py"], write_15scene, 1, 15),
}

CONFIG = '''
[assignment]
name = "{name}"
seed = 7

[submission]
files = ["models.py"]

[extensions]
datasets = "datasets.py"
helpers = "helpers.py"

[training]
dataset = "{dataset}"
optimizer = "adam"
lr = 0.05
batch_size = 32
steps = 30

[calibration]
models = ["models.Net"]
margin = 0.1
'''

HELPERS = '''
from grader.toolkit.training import Recipe, train


def fit_and_predict(model, recipe, images, labels, eval_images, *, mean, std, seed):
    result = train(model, recipe=Recipe.from_dict(recipe), train_images=images,
                   train_labels=labels, eval_images=eval_images, mean=mean, std=std,
                   seed=seed, progress=False)
    return result.predictions
'''

HIDDEN = '''
import pytest
import torch

from grader.toolkit import checks


@pytest.mark.weight(2)
@pytest.mark.number("1.1")
def test_net_reaches_the_threshold_of_its_data(submission, assignment, training_data, device):
    """Net reaches the accuracy calibrated on the data it trained on"""
    train, held = training_data
    predictions = submission.helpers.fit_and_predict(
        submission.models.Net(), assignment.recipe("Net").to_dict(), train.images,
        train.labels, held.images, mean=train.mean, std=train.std, seed=0)
    predictions = checks.check_tensor(predictions, shape=(len(held),), dtype=torch.int64)
    accuracy = (predictions == held.labels).double().mean().item()
    assert accuracy >= assignment.threshold(device, "Net", held)
'''

SOLUTION = '''
from torch import nn


class Net(nn.Module):
    """The mean of each cell of a 4 x 4 grid, then one linear layer."""

    def __init__(self):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.fc = nn.Linear({channels} * 16, {classes})

    def forward(self, x):
        return self.fc(self.pool(x).flatten(1))
'''


def course(root: Path, dataset: str) -> Path:
    """The course, its assignment reading `dataset` (a one-line choice); its folder."""
    needs, _, channels, classes = REAL[dataset]
    folder = root / "assignments" / NAME
    files = {folder / "assignment.toml": CONFIG.format(name=NAME, dataset=dataset),
             folder / "helpers.py": HELPERS, folder / "test_hidden.py": HIDDEN,
             root / "solutions" / NAME / "models.py": SOLUTION.format(channels=channels,
                                                                      classes=classes)}
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    for relative in needs:
        shutil.copy(ASSIGNMENTS / relative, folder)
    return root


def with_data(tmp_path: Path, dataset: str, monkeypatch) -> Path:
    """The course reading `dataset`, and a data root holding its sample."""
    root = course(tmp_path / "course", dataset)
    REAL[dataset][1](tmp_path / "data")
    monkeypatch.setenv("GRADER_DATA_ROOT", str(tmp_path / "data"))
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    return root


def grade(root: Path, tmp_path: Path, valid_results, *options: str) -> dict:
    """The reference graded (2 points): results.json, checked."""
    out = tmp_path / "results.json"
    assert cli.main(["grade", NAME, str(root / "solutions" / NAME), "-o", str(out), "--device",
                     "cpu", *options, "--project", str(root)]) == 0
    results = valid_results(json.loads(out.read_text()))
    [test] = results["tests"]
    assert (results["score"], test["status"]) == (2, "passed"), test["output"]
    assert not results["extra_data"].get("regrade")
    return results


@pytest.mark.parametrize("dataset", list(REAL))
def test_real_data_is_graded_with_the_thresholds_of_that_data(dataset, tmp_path, monkeypatch,
                                                              valid_results):
    root = with_data(tmp_path, dataset, monkeypatch)
    with open(root / "assignments" / NAME / "assignment.toml", "a") as config:
        # Where calibrate writes them; a stand-in's loader would find no threshold: a regrade.
        config.write(f"\n[thresholds.cpu.{dataset}]\nNet = 0.9\n")
    grade(root, tmp_path, valid_results, "--no-sandbox")


@pytest.mark.slow
@pytest.mark.parametrize("dataset", list(REAL))
def test_a_course_on_real_data_calibrates_and_grades_its_reference(dataset, tmp_path,
                                                                   monkeypatch, capsys,
                                                                   valid_results):
    root = with_data(tmp_path, dataset, monkeypatch)
    assert cli.main(["calibrate", NAME, "--seeds", "20", "--project", str(root)]) == 0, (
        capsys.readouterr())
    config = (root / "assignments" / NAME / "assignment.toml").read_text()
    # The thresholds of that data, never the stand-in's table; the data recorded.
    assert f"[thresholds.cpu.{dataset}]\nNet = " in config
    assert "[thresholds.cpu]\n" not in config
    assert f'[calibration.cpu]\ndataset = "{dataset}"\n' in config
    # Sandboxed: the worker never sees the data root; the judge sends it the images.
    grade(root, tmp_path, valid_results, *sandbox_args().split())
