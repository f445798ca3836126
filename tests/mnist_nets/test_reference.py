"""The reference solution earns full marks, every run alike; the skeleton earns zero, politely."""

import pytest

from grader.authoring import transform_tree
from grader.judge import config, runner

RUNS = 3


def strip(document):
    """What must not change between runs: everything but timings."""
    return [{k: v for k, v in t.items() if k != "extra_data"} for t in document["tests"]]


@pytest.fixture(scope="module")
def reference_runs(request, tmp_path_factory):
    root = request.config.rootpath
    assignment = config.load(root / "assignments/mnist_nets")
    return [runner.grade(assignment, root / "solutions/mnist_nets",
                         tmp_path_factory.mktemp("run") / "results.json")
            for _ in range(RUNS)]


@pytest.mark.slow
def test_reference_earns_full_marks_in_the_sandbox(reference_runs, valid_results):
    document = valid_results(reference_runs[0])
    failures = {t["name"]: t["output"] for t in document["tests"] if t["status"] != "passed"}
    assert failures == {}
    assert document["score"] == sum(t["max_score"] for t in document["tests"]) == 100
    assert document["extra_data"]["backend"] == "sandbox"


@pytest.mark.slow
def test_same_submission_same_score_every_run(reference_runs):
    first = strip(reference_runs[0])
    assert all(strip(run) == first for run in reference_runs[1:])
    assert len({run["score"] for run in reference_runs}) == 1


@pytest.mark.slow
def test_skeleton_scores_zero_with_a_reason_per_test(request, tmp_path, valid_results):
    root = request.config.rootpath
    transform_tree(root / "solutions/mnist_nets", tmp_path / "skeleton")
    document = valid_results(runner.grade(config.load(root / "assignments/mnist_nets"),
                                          tmp_path / "skeleton", tmp_path / "results.json"))
    assert document["score"] == 0
    assert len(document["tests"]) == 37  # every test of the assignment is listed
    assert all(t["status"] == "failed" and t["output"] for t in document["tests"])
    todo = [t for t in document["tests"] if "is not implemented yet: TODO" in t["output"]]
    assert len(todo) == len(document["tests"]), [
        t["output"] for t in document["tests"] if t not in todo]
