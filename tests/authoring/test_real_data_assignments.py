"""cifar_resnet and scene_recognition switched to their real data by their one line, graded
on small samples in the real formats (real_samples.py): their own accuracy tests, on a copy
of each assignment whose only changes are that line and a threshold for the sample.
"""

import shutil
from pathlib import Path

import pytest
from real_samples import write_15scene, write_cifar10

from grader.assignment import PACKAGE_ROOT, loading
from grader.judge import runner
from grader.toolkit.datasets import DATA_ROOT_ENV


def switched(course: Path, name: str, default: str, real: str, thresholds: str = "") -> Path:
    """A copy of assignment `name` (and its reference) reading `real` instead of `default`."""
    for part in ("assignments", "solutions"):
        shutil.copytree(PACKAGE_ROOT / part / name, course / part / name,
                        ignore=shutil.ignore_patterns("test_submissions", "__pycache__"))
    toml = course / "assignments" / name / "assignment.toml"
    text = toml.read_text()
    line = f'[training]\ndataset = "{default}"\n'  # the one line (calibration records it too)
    assert text.count(line) == 1
    toml.write_text(text.replace(line, f'[training]\ndataset = "{real}"\n') + thresholds)
    loading.load.cache_clear()
    return course / "assignments" / name


def grade(root: Path, tmp_path: Path, valid_results, *pytest_args: str) -> dict:
    try:
        assignment = loading.load(root)
        return valid_results(runner.grade(assignment, assignment.reference,
                                          tmp_path / "results.json", sandbox=False,
                                          device="cpu", extra_args=pytest_args))
    finally:
        loading.load.cache_clear()


def test_cifar_resnet_grades_simplenn_on_cifar10(tmp_path, monkeypatch, valid_results):
    write_cifar10(tmp_path / "data")
    monkeypatch.setenv(DATA_ROOT_ENV, str(tmp_path / "data"))
    root = switched(tmp_path / "course", "cifar_resnet", "cifar10-standin", "cifar10",
                    "\n[thresholds.cpu.cifar10]\nSimpleNN = 0.9\n")
    document = grade(root, tmp_path, valid_results, "-m", "training")
    assert [(t["number"], t["status"]) for t in document["tests"]] == [("7.1.1", "passed")], (
        document["tests"])


def scene_recognition_on_15scene(tmp_path: Path, monkeypatch) -> Path:
    write_15scene(tmp_path / "data")
    monkeypatch.setenv(DATA_ROOT_ENV, str(tmp_path / "data"))
    return switched(tmp_path / "course", "scene_recognition", "15scene-synthetic", "15scene",
                    "\n[thresholds.cpu.15scene]\nSimpleNet = 0.9\nSimpleNetDropout = 0.9\n"
                    "FineTunedAlexNet = 0.5\n")


def test_scene_recognition_without_alexnets_weights_is_a_regrade_not_a_failure(
        tmp_path, monkeypatch, valid_results):
    root = scene_recognition_on_15scene(tmp_path, monkeypatch)
    document = grade(root, tmp_path, valid_results, "-k", "fine_tuned")
    [test] = document["tests"]
    assert test["status"] == "failed" and "the grader lacks the pretrained weights" in (
        test["output"])
    assert document["extra_data"]["regrade"] == [test["number"]] == ["8.2.1"]


@pytest.mark.slow
def test_scene_recognition_grades_its_nets_on_15scene(tmp_path, monkeypatch, valid_results):
    root = scene_recognition_on_15scene(tmp_path, monkeypatch)
    document = grade(root, tmp_path, valid_results, "-k", "test_accuracy and not fine_tuned")
    status = {t["number"]: t["status"] for t in document["tests"]}
    assert status == {"8.1.1": "passed", "8.1.2": "passed"}, document["tests"]
