"""Thresholds belong to the device and the data they were calibrated on: grading takes those
of the data it loaded, and a pair the config lacks is a regrade for the staff, never the
student's failure."""

import shutil
import tomllib
from pathlib import Path

import pytest
import torch

from grader.assignment import ConfigError, GraderProblem, loading, parse, thresholds
from grader.authoring.tomltext import replace_tables
from grader.judge import results, runner, session
from grader.toolkit.datasets import ImageDataset

GOOD = Path(__file__).parents[1] / "fixtures" / "submissions" / "good"
CONFIG = """[thresholds.cpu]
Net = 0.9
Small = 0.5

[thresholds.cpu.mnist]
Net = 0.97

[thresholds.cuda.mnist-embedded]
Net = 0.8
"""


def settings(text: str = CONFIG):
    return parse(tomllib.loads(text)).thresholds


@pytest.mark.parametrize("device, model, data, expected", [
    ("cpu", "Net", "mnist-embedded", 0.9),     # a stand-in: the device's own entries
    ("cpu", "Net", "cifar10-standin", 0.9),
    ("cpu", "Net", "mnist", 0.97),             # real data: its own table
    ("cuda", "Net", "mnist-embedded", 0.8),    # a table named after a stand-in
])
def test_the_threshold_is_that_of_the_device_and_the_data(device, model, data, expected):
    assert thresholds.lookup(settings(), device, model, data) == expected


@pytest.mark.parametrize("device, model, data", [
    ("cpu", "Small", "mnist"),    # calibrated on the stand-in only: never used for real data
    ("cpu", "Net", "cifar10"),
    ("cuda", "Net", "mnist"),
    ("cuda", "Small", "mnist-embedded"),
])
def test_a_missing_pair_is_a_grader_problem_that_says_what_to_calibrate(device, model, data):
    with pytest.raises(GraderProblem) as problem:
        thresholds.lookup(settings(), device, model, data)
    assert str(problem.value) == thresholds.UNGRADED
    assert f"no threshold for {model} on {device} with data {data!r}" in problem.value.staff_note
    assert f"grader calibrate --device {device}" in problem.value.staff_note


def test_the_assignment_takes_a_torch_device_and_the_dataset_it_loaded(tmp_path):
    (tmp_path / "assignment.toml").write_text(CONFIG)
    loading.load.cache_clear()
    assignment = loading.load(tmp_path)
    held = ImageDataset(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.zeros(2).long(),
                        (0.0,), (1.0,), "mnist")
    assert assignment.threshold(torch.device("cpu"), "Net", held) == 0.97
    assert assignment.threshold("cpu", "Net", "mnist-embedded") == 0.9


def test_calibrated_thresholds_are_placed_where_the_lookup_finds_them():
    text = "# kept\n" + CONFIG
    found = tomllib.loads(text)["thresholds"]
    found = thresholds.placed(found, "cuda", "cifar10", {"Net": 0.7})
    found = thresholds.placed(found, "cpu", "mnist-embedded", {"Small": 0.55})
    found = thresholds.placed(found, "cuda", "mnist-embedded", {"Net": 0.81})
    written = replace_tables(text, {"thresholds": found})
    assert written.startswith("# kept\n")
    parsed = settings(written)
    assert thresholds.lookup(parsed, "cuda", "Net", "cifar10") == 0.7
    assert thresholds.lookup(parsed, "cpu", "Small", "synthetic-cifar10") == 0.55
    assert thresholds.lookup(parsed, "cuda", "Net", "mnist-embedded") == 0.81
    assert thresholds.lookup(parsed, "cpu", "Net", "mnist") == 0.97  # the rest kept
    assert thresholds.listed(parsed, "Net") == ["0.9 (cpu)", "0.97 (cpu, mnist)",
                                                "0.81 (cuda, mnist-embedded)",
                                                "0.7 (cuda, cifar10)"]


@pytest.mark.parametrize("text, message", [
    ('[thresholds.cpu.mnist]\nNet = "high"',
     "[thresholds.cpu.mnist] Net: expected a number, got 'high'"),
    ("[calibration.cpu]\ndataset = 3", "[calibration.cpu] dataset: expected a string, got 3"),
    ('[data]\nweights = "alexnet"', "[data] weights: expected a list of strings"),
])
def test_the_schema_checks_the_new_keys(text, message):
    with pytest.raises(ConfigError, match=message.replace("[", "\\[").replace("]", "\\]")):
        parse(tomllib.loads(text))


def test_todays_configs_still_mean_the_stand_in():
    root = Path(__file__).parents[2] / "assignments"
    loading.load.cache_clear()
    mnist = loading.load(root / "mnist_nets")
    written = tomllib.loads((root / "mnist_nets" / "assignment.toml").read_text())
    assert mnist.threshold("cpu", "SimpleCNN", "mnist-embedded") == \
        written["thresholds"]["cpu"]["SimpleCNN"]
    with pytest.raises(GraderProblem):
        mnist.threshold("cpu", "SimpleCNN", "mnist")


TESTS = '''
import pytest


@pytest.mark.weight(2)
@pytest.mark.number("1.1")
@pytest.mark.visibility("hidden")
def test_real_data(assignment, device):
    """the threshold of real MNIST"""
    assert assignment.threshold(device, "Net", "mnist") == 0.9


@pytest.mark.weight(1)
@pytest.mark.number("1.2")
def test_stand_in(assignment, device):
    """the threshold of the stand-in"""
    assert assignment.threshold(device, "Net", "mnist-embedded") == 0.9
'''


def test_grading_without_the_pair_marks_a_regrade_not_a_failure(tmp_path, valid_results,
                                                                capsys):
    root = tmp_path / "pairs"
    root.mkdir()
    (root / "assignment.toml").write_text('[assignment]\nname = "pairs"\n\n[submission]\n'
                                          'files = ["calc.py"]\n\n[thresholds.cpu]\nNet = 0.9\n')
    (root / "test_pairs.py").write_text(TESTS)
    submission = shutil.copytree(GOOD, tmp_path / "submission")
    loading.load.cache_clear()
    document = valid_results(runner.grade(loading.load(root), submission,
                                          tmp_path / "results.json", device="cpu",
                                          sandbox=False))
    real, stand_in = document["tests"]
    assert (real["score"], real["status"], real["extra_data"]["regrade"]) == (0, "failed", True)
    assert real["output"] == f"{thresholds.UNGRADED}\n\n{session.REGRADE_ROW}"
    assert (stand_in["score"], stand_in["status"]) == (1, "passed")
    assert document["extra_data"]["regrade"] == ["1.1"] and results.needs_regrade(document)
    assert "the grader lacked a setting" in document["output"]
    log = capsys.readouterr().out
    assert "REGRADE: test 1.1 could not be graded fairly on this run (no threshold for Net " \
           "on cpu with data 'mnist'" in log

