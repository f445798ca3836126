"""cifar_resnet's secret test images: drawn from the course's grading secret, so nothing
students hold (the generator, the images) or any test file determines a label; their
accuracy is told in whole percent."""

import importlib.util
import shutil

import pytest
import torch

from grader.assignment import loading
from grader.judge import runner
from grader.toolkit import secret

ASSIGNMENT = "assignments/cifar_resnet"


@pytest.fixture
def datasets(request):
    """A fresh copy of the judge's datasets module (its test split is cached per module)."""
    path = request.config.rootpath / ASSIGNMENT / "datasets.py"
    spec = importlib.util.spec_from_file_location("cifar_resnet_datasets_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labels_come_from_the_grading_secret_alone(datasets, monkeypatch):
    graded = datasets.test_split()
    datasets.check_public_images()  # the images students hold are the graded ones
    monkeypatch.setattr(secret, "read", lambda root: b"another term's secret")
    datasets.test_split.cache_clear()
    other = datasets.test_split()
    assert not torch.equal(other.images, graded.images)
    # With the same generator and files, another secret gives labels no better than chance.
    assert (other.labels == graded.labels).float().mean() < 0.2


def test_images_of_another_secret_are_a_staff_problem_named_as_such(datasets, monkeypatch):
    monkeypatch.setattr(secret, "read", lambda root: b"another term's secret")
    with pytest.raises(RuntimeError, match="another grading secret.*make_artifacts.py"):
        datasets.load_test("heldout", None, False)


def test_accuracy_on_the_test_images_is_told_in_whole_percent(request, tmp_path, datasets):
    root = request.config.rootpath
    submission = tmp_path / "submission"
    shutil.copytree(root / "solutions/cifar_resnet", submission)
    labels = datasets.test_split().labels.tolist()
    right = 218  # 43.6%: below the threshold, with a fraction that must not be told
    rows = [label if i < right else (label + 1) % 10 for i, label in enumerate(labels)]
    (submission / "predictions.csv").write_text(
        "Id,Label\n" + "".join(f"{i},{label}\n" for i, label in enumerate(rows)))
    loading.load.cache_clear()
    document = runner.grade(loading.load(root / ASSIGNMENT), submission, tmp_path / "r.json",
                            sandbox=False, extra_args=("-k", "test_predictions_csv"))
    output = document["tests"][0]["output"]
    assert document["tests"][0]["status"] == "failed"
    assert "reached 43% accuracy" in output and "43.6" not in output, output
