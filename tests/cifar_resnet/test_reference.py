"""The reference earns full marks, every run alike; the skeleton earns zero, with reasons."""

import shutil

import pytest

from grader.assignment import loading
from grader.authoring import transform_tree
from grader.judge import runner

RUNS = 2
TESTS = 34  # every test of the assignment on a CPU


def load(root):
    return loading.load(root / "assignments/cifar_resnet")


def strip(document):
    """What must not change between runs: everything but timings."""
    return [{k: v for k, v in t.items() if k != "extra_data"} for t in document["tests"]]


@pytest.fixture(scope="module")
def reference_runs(request, tmp_path_factory):
    root = request.config.rootpath
    folders = [tmp_path_factory.mktemp("run") for _ in range(RUNS)]
    return [runner.grade(load(root), root / "solutions/cifar_resnet", folder / "results.json")
            for folder in folders]


@pytest.mark.slow
def test_reference_earns_full_marks_in_the_sandbox(reference_runs, valid_results):
    document = valid_results(reference_runs[0])
    failures = {t["name"]: t["output"] for t in document["tests"] if t["status"] != "passed"}
    assert failures == {}
    assert len(document["tests"]) == TESTS
    assert document["score"] == pytest.approx(sum(t["max_score"] for t in document["tests"]))
    assert document["extra_data"]["backend"] == "sandbox"


@pytest.mark.slow
def test_same_submission_same_score_every_run(reference_runs):
    assert all(strip(run) == strip(reference_runs[0]) for run in reference_runs[1:])


@pytest.mark.slow
def test_skeleton_scores_zero_with_a_reason_per_test(request, tmp_path, valid_results):
    root = request.config.rootpath
    transform_tree(root / "solutions/cifar_resnet", tmp_path / "skeleton")
    shutil.copy(root / "assignments/cifar_resnet/test_images.safetensors", tmp_path / "skeleton")
    document = valid_results(runner.grade(load(root), tmp_path / "skeleton",
                                          tmp_path / "results.json", sandbox=False))
    assert document["score"] == 0
    assert len(document["tests"]) == TESTS  # every test of the assignment is listed
    reasons = {t["number"]: t["output"] for t in document["tests"]}
    assert all(t["status"] == "failed" and t["output"] for t in document["tests"])
    untouched = [n for n, why in reasons.items()
                 if "is not implemented yet: TODO" not in why and not why.startswith(
                     "Your submission has no ")]
    assert untouched == [], {n: reasons[n] for n in untouched}
