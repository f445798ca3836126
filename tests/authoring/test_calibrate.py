"""`grader calibrate`: thresholds from the reference over seeds, written into the config."""

import tomllib

import pytest
from course import NAME

from grader import cli
from grader.authoring import calibrate
from grader.authoring.calibrate import Run
from grader.judge.config import ConfigError
from grader.toolkit.training import Recipe


def test_summary_takes_the_worst_seed_minus_the_margin_floored():
    runs = [Run("Net", 1, 0.91, 2.0), Run("Net", 2, 0.9377, 4.0), Run("Lin", 1, 0.5, 1.0)]
    summary = calibrate.summarize(runs, margin=0.02)
    assert summary["Net"] == {"accuracy_min": 0.91, "accuracy_mean": 0.9239,
                              "accuracy_max": 0.9377, "seconds_mean": 3.0, "threshold": 0.89}
    assert summary["Lin"]["threshold"] == 0.48
    assert list(summary) == ["Net", "Lin"]


def test_calibrate_trains_the_reference_and_rewrites_only_its_tables(course, capsys):
    config = course.assignments / NAME / "assignment.toml"
    before = config.read_text()
    assert cli.main(["calibrate", NAME, "--seeds", "2", "--project", str(course.root)]) == 0
    printed = capsys.readouterr().out
    assert "calibrating calc_basics on cpu over seeds [11, 12]" in printed
    assert "Linear                   accuracy min 0." in printed and "-> threshold 0." in printed
    after = config.read_text()
    written = tomllib.loads(after)
    stats = written["calibration"]["cpu"]
    assert stats["seeds"] == [11, 12] and stats["margin"] == 0.05 and stats["torch_version"]
    linear = stats["Linear"]
    assert 0.5 < linear["accuracy_min"] <= linear["accuracy_mean"] <= linear["accuracy_max"] <= 1
    assert written["thresholds"]["cpu"] == {
        "Linear": pytest.approx(linear["accuracy_min"] - 0.05, abs=1e-3)}
    assert written["calibration"]["models"] == ["calc.Linear"]  # the inputs are kept
    assert after.startswith(before.split("[thresholds.cpu]")[0])  # all above it unchanged
    assert "# Written by `grader calibrate calc_basics`.\n[thresholds.cpu]\nLinear = " in after
    assert "# The training setup of accuracy tests" in after


def test_a_model_table_under_training_overrides_the_shared_budget(course):
    config = course.assignments / NAME / "assignment.toml"
    config.write_text(config.read_text() + "\n[training.Linear]\nsteps = 5\nlr = 0.5\n")
    assignment = course.assignment(NAME)
    assert assignment.recipe("Linear") == Recipe(optimizer="sgd", lr=0.5, batch_size=64, steps=5)
    assert assignment.recipe("Other").steps == 20


def test_calibrate_needs_a_training_setup(course):
    config = course.assignments / NAME / "assignment.toml"
    config.write_text(config.read_text().replace('models = ["calc.Linear"]', "models = []"))
    with pytest.raises(ConfigError, match=r"\[calibration\] models must list"):
        calibrate.calibrate(course, NAME, 1, "cpu", report=lambda line: None)
    assert cli.main(["calibrate", NAME, "--seeds", "0", "--project", str(course.root)]) == 2


def test_controls_are_summarized_per_model_and_must_stay_below_its_threshold():
    runs = [Run("Net", 1, 0.95, 1.0), Run("Net", 2, 0.96, 1.0),
            Run("Net", 1, 0.40, 1.0, control="controls.Blind"),
            Run("Net", 2, 0.55, 1.0, control="controls.Blind"),
            Run("Net", 1, 0.94, 1.0, control="controls.Linear"),
            Run("Net", 2, 0.92, 1.0, control="controls.Linear")]
    summary = calibrate.summarize(runs, margin=0.02)
    assert summary["Net"]["threshold"] == 0.929 and summary["Net"]["control_max"] == 0.94
    assert calibrate.unseparated(runs, summary) == [(
        "negative control controls.Linear reached 0.9400 (seed 1) with Net's budget; the "
        "threshold 0.929 fails to separate it by 0.0110 (a margin below 0.0100 would separate "
        "them)")]
    assert calibrate.unseparated(runs[:4], calibrate.summarize(runs[:4], margin=0.02)) == []
    hopeless = [Run("Net", 1, 0.9, 1.0), Run("Net", 1, 0.91, 1.0, control="controls.Linear")]
    assert "no margin can: the reference's worst seed (0.9000) is not above it" in \
        calibrate.unseparated(hopeless, calibrate.summarize(hopeless, 0.02))[0]


def test_calibrate_refuses_a_threshold_that_a_control_reaches(course, capsys):
    config = course.assignments / NAME / "assignment.toml"
    # The reference's own model as its negative control: nothing can separate them.
    config.write_text(config.read_text().replace(
        'models = ["calc.Linear"]', 'models = ["calc.Linear"]\ncontrols = ["calc.Linear"]'))
    before = config.read_text()
    assert cli.main(["calibrate", NAME, "--seeds", "1", "--project", str(course.root)]) == 1
    captured = capsys.readouterr()
    assert "Linear                   seed 11     accuracy" in captured.out
    assert "(negative control for Linear)" in captured.out
    assert "grader: calibrate refused to write thresholds: " in captured.err
    assert "negative control calc.Linear reached 0." in captured.err and "no margin can" in \
        captured.err
    assert config.read_text() == before
