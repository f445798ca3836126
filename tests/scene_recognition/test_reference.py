"""The reference solution earns full marks in the sandbox; the skeleton earns zero, politely."""

import json

import pytest

from grader.assignment import loading
from grader.authoring import transform_tree
from grader.judge import runner


@pytest.fixture
def assignment(request):
    return loading.load(request.config.rootpath / "assignments/scene_recognition")


@pytest.mark.slow
def test_reference_earns_full_marks_in_the_sandbox(request, assignment, tmp_path, valid_results):
    reference = request.config.rootpath / "solutions/scene_recognition"
    document = valid_results(runner.grade(assignment, reference, tmp_path / "results.json"))
    failures = {t["name"]: t["output"] for t in document["tests"] if t["status"] != "passed"}
    assert failures == {}
    assert document["score"] == pytest.approx(100)
    assert document["extra_data"]["backend"] == "sandbox"
    pictures = [line for t in document["tests"] for line in t["output"].splitlines()
                if line.startswith("Picture: ")]
    assert len(pictures) == 6  # a loss curve and a confusion matrix per trained model
    assert all((tmp_path / line.removeprefix("Picture: ")).is_file() for line in pictures)


@pytest.mark.slow
def test_skeleton_scores_zero_with_a_reason_per_test(request, assignment, tmp_path,
                                                     valid_results):
    root = request.config.rootpath
    transform_tree(root / "solutions/scene_recognition", tmp_path / "skeleton")
    document = valid_results(runner.grade(assignment, tmp_path / "skeleton",
                                          tmp_path / "results.json"))
    expected = json.loads((assignment.root / "expected_tests.json").read_text())["tests"]
    assert document["score"] == 0
    assert len(document["tests"]) == len(expected) == 46  # every test of the assignment
    assert all(t["status"] == "failed" and t["output"] for t in document["tests"])
    todo = [t for t in document["tests"] if "is not implemented yet: TODO" in t["output"]]
    assert len(todo) == len(document["tests"]), [
        t["output"] for t in document["tests"] if t not in todo]
