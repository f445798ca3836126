"""The reference solution earns full marks, every run alike; the skeleton earns zero, politely."""

import pytest

from grader.assignment import loading
from grader.authoring import transform_tree
from grader.judge import runner

RUNS = 3


def strip(document):
    """What must not change between runs: everything but timings."""
    return [{k: v for k, v in t.items() if k != "extra_data"} for t in document["tests"]]


@pytest.fixture(scope="module")
def reference_runs(request, tmp_path_factory):
    root = request.config.rootpath
    assignment = loading.load(root / "assignments/mnist_nets")
    folders = [tmp_path_factory.mktemp("run") for _ in range(RUNS)]
    return [(runner.grade(assignment, root / "solutions/mnist_nets", folder / "results.json"),
             folder) for folder in folders]


@pytest.mark.slow
def test_reference_earns_full_marks_in_the_sandbox(reference_runs, valid_results):
    document, _ = reference_runs[0]
    valid_results(document)
    failures = {t["name"]: t["output"] for t in document["tests"] if t["status"] != "passed"}
    assert failures == {}
    assert document["score"] == sum(t["max_score"] for t in document["tests"]) == 100
    assert document["extra_data"]["backend"] == "sandbox"


@pytest.mark.slow
def test_accuracy_tests_draw_the_loss_curve_beside_the_results(reference_runs):
    document, folder = reference_runs[0]
    accuracy = next(t for t in document["tests"] if t["number"] == "6.1.1")
    assert "Picture: pictures/6.1.1-loss.png" in accuracy["output"]
    assert (folder / "pictures/6.1.1-loss.png").read_bytes().startswith(b"\x89PNG\r\n")


@pytest.mark.slow
def test_same_submission_same_score_every_run(reference_runs):
    documents = [document for document, _ in reference_runs]
    assert all(strip(run) == strip(documents[0]) for run in documents[1:])
    assert len({run["score"] for run in documents}) == 1


@pytest.mark.slow
def test_skeleton_scores_zero_with_a_reason_per_test(request, tmp_path, valid_results):
    root = request.config.rootpath
    transform_tree(root / "solutions/mnist_nets", tmp_path / "skeleton")
    document = valid_results(runner.grade(loading.load(root / "assignments/mnist_nets"),
                                          tmp_path / "skeleton", tmp_path / "results.json"))
    assert document["score"] == 0
    assert len(document["tests"]) == 37  # every test of the assignment is listed
    assert all(t["status"] == "failed" and t["output"] for t in document["tests"])
    todo = [t for t in document["tests"] if "is not implemented yet: TODO" in t["output"]]
    assert len(todo) == len(document["tests"]), [
        t["output"] for t in document["tests"] if t not in todo]
