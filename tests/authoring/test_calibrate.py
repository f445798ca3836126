"""`grader calibrate`: thresholds from correct models over seeds, written into the config
only when they fail correct work rarely enough and no negative control passes."""

import random
import re
import tomllib

import pytest
from course import NAME

from grader import cli
from grader.assignment import ConfigError
from grader.authoring import calibrate, tails
from grader.authoring.calibration_runs import Run, risks, summarize, too_risky, unseparated
from grader.toolkit.training import Recipe


def test_summary_takes_the_worst_seed_minus_the_margin_floored():
    runs = [Run("Net", 1, 0.91, 2.0), Run("Net", 2, 0.9377, 4.0), Run("Lin", 1, 0.5, 1.0)]
    summary = summarize(runs, margin=0.02)
    assert summary["Net"] == {"accuracy_min": 0.91, "accuracy_mean": 0.9239,
                              "accuracy_max": 0.9377, "seconds_mean": 3.0, "threshold": 0.89}
    assert summary["Lin"]["threshold"] == 0.48
    assert list(summary) == ["Net", "Lin"]


def widen_margin(course, margin="0.1"):
    """20 steps of a linear model spread too much for the fixture's margin of 0.05."""
    config = course.assignments / NAME / "assignment.toml"
    config.write_text(config.read_text().replace("margin = 0.05\n\n[calibration.cpu]",
                                                 f"margin = {margin}\n\n[calibration.cpu]"))
    return config


def test_calibrate_trains_the_reference_and_rewrites_only_its_tables(course, capsys):
    config = widen_margin(course)
    before = config.read_text()
    report = course.root / "calibration.md"
    assert cli.main(["calibrate", NAME, "--project", str(course.root), "-o", str(report)]) == 0
    printed = capsys.readouterr().out
    assert f"calibrating calc_basics on cpu over seeds {list(range(11, 31))}" in printed
    assert "Linear                   accuracy min 0." in printed and "-> threshold 0." in printed
    after = config.read_text()
    written = tomllib.loads(after)
    stats = written["calibration"]["cpu"]
    assert stats["seeds"] == list(range(11, 31)) and stats["margin"] == 0.1
    assert stats["torch_version"]
    assert stats["dataset"] == "mnist-embedded" and "weights" not in stats  # what it trained on
    linear = stats["Linear"]
    assert 0.5 < linear["accuracy_min"] <= linear["accuracy_mean"] <= linear["accuracy_max"] <= 1
    assert 0 <= linear["false_failure"] <= 0.001
    assert written["thresholds"]["cpu"] == {
        "Linear": pytest.approx(linear["accuracy_min"] - 0.1, abs=1e-3)}
    assert written["calibration"]["models"] == ["calc.Linear"]  # the inputs are kept
    assert after.startswith(before.split("[thresholds.cpu]")[0])  # all above it unchanged
    assert "# Written by `grader calibrate calc_basics`.\n[thresholds.cpu]\nLinear = " in after
    assert "# The training setup of accuracy tests" in after
    assert "| Linear | " in report.read_text() and "Written to assignment.toml." in \
        report.read_text()


def test_fewer_than_twenty_seeds_cannot_calibrate(course, capsys):
    assert cli.main(["calibrate", NAME, "--seeds", "10", "--project", str(course.root)]) == 2
    assert "a false-failure rate needs at least 20 seeds" in capsys.readouterr().err


def gaussian_runs(model, count, mean, sd, seed=0, **kind):
    rng = random.Random(seed)
    return [Run(model, 100 + i, rng.gauss(mean, sd), 1.0, **kind) for i in range(count)]


def test_a_threshold_that_fails_twelve_percent_of_correct_runs_is_refused():
    # A TA's case: the margin squeezed by a control until 7 of 60 correct trainings fail.
    runs = gaussian_runs("Net", 60, 0.80, 0.02) + gaussian_runs(
        "Net", 60, 0.70, 0.02, seed=1, control="controls.Small")
    summary = summarize(runs, margin=0.0)
    correct = sorted(r.accuracy for r in runs if not r.control)
    summary["Net"]["threshold"] = correct[7]  # where the TA put it: 7 of 60 correct runs below
    found = risks(runs, summary)
    design = next(r for r in found if not r.control)
    assert design.estimate.beyond == 7 and design.estimate.probability > 0.05
    [problem] = too_risky(found, summary, max_false_failure=0.001)
    assert f"Net as reference writes it falls below the threshold {correct[7]:.3f} in 7 of 60 " \
        "seeds" in problem
    assert "exceeds max_false_failure 0.10%" in problem and "longer budget" in problem
    assert "larger [calibration] margin (the controls reach at most" in problem  # how far down


def test_each_corpus_design_is_held_to_the_threshold_apart():
    runs = (gaussian_runs("Net", 20, 0.95, 0.005) +
            gaussian_runs("Net", 20, 0.86, 0.02, design="valid_slow_learner"))
    summary = summarize(runs, margin=0.05)
    assert summary["Net"]["threshold"] == pytest.approx(0.887, abs=0.01)  # the reference's
    problems = too_risky(risks(runs, summary), summary, 0.001)
    assert [p.split(" writes it")[0] for p in problems] == ["Net as valid_slow_learner"]


def test_the_tail_estimate_is_small_far_below_the_runs_and_large_inside_them():
    values = [0.9 + 0.001 * (i % 7) for i in range(20)]
    assert tails.below(values, 0.8).probability < 1e-6
    inside = tails.below(values, 0.9035)
    assert inside.beyond == 12 and inside.probability == pytest.approx(12 / 20)
    assert tails.above([0.3] * 19 + [0.5], 0.5).beyond == 1
    with pytest.raises(ValueError, match="at least 20"):
        tails.below(values[:19], 0.8)


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
        calibrate.calibrate(course, NAME, 20, "cpu", report=lambda line: None)
    assert cli.main(["calibrate", NAME, "--seeds", "0", "--project", str(course.root)]) == 2


def test_controls_are_summarized_per_model_and_must_stay_below_its_threshold():
    runs = [Run("Net", 1, 0.95, 1.0), Run("Net", 2, 0.96, 1.0),
            Run("Net", 1, 0.40, 1.0, control="controls.Blind"),
            Run("Net", 2, 0.55, 1.0, control="controls.Blind"),
            Run("Net", 1, 0.94, 1.0, control="controls.Linear"),
            Run("Net", 2, 0.92, 1.0, control="controls.Linear")]
    summary = summarize(runs, margin=0.02)
    assert summary["Net"]["threshold"] == 0.929 and summary["Net"]["control_max"] == 0.94
    assert unseparated(runs, summary) == [(
        "negative control controls.Linear reached 0.9400 (seed 1) with Net's budget; the "
        "threshold 0.929 fails to separate it by 0.0110 (a margin below 0.0100 would separate "
        "them)")]
    assert unseparated(runs[:4], summarize(runs[:4], margin=0.02)) == []
    hopeless = [Run("Net", 1, 0.9, 1.0), Run("Net", 1, 0.91, 1.0, control="controls.Linear")]
    assert "no margin can: the reference's worst seed (0.9000) is not above it" in \
        unseparated(hopeless, summarize(hopeless, 0.02))[0]


def test_calibrate_refuses_a_threshold_that_a_control_reaches(course, capsys):
    config = widen_margin(course)
    # The reference's own model as its negative control: nothing can separate them.
    config.write_text(config.read_text().replace(
        'models = ["calc.Linear"]', 'models = ["calc.Linear"]\ncontrols = ["calc.Linear"]'))
    before = config.read_text()
    assert cli.main(["calibrate", NAME, "--project", str(course.root)]) == 1
    captured = capsys.readouterr()
    assert "Linear                   seed 11     accuracy" in captured.out
    assert "(negative control for Linear)" in captured.out
    assert "grader: calibrate refused to write thresholds: " in captured.err
    assert "negative control calc.Linear reached 0." in captured.err and "no margin can" in \
        captured.err
    assert config.read_text() == before


def test_a_design_that_trains_to_the_reference_s_weights_borrows_its_runs(course, capsys):
    """Renamed layers train to the same numbers: two seeds are enough to know. Another
    initialisation does not, so that design trains on every seed."""
    widen_margin(course)
    reference = (course.root / "solutions" / NAME / "calc.py").read_text()
    corpus = course.assignments / NAME / "test_submissions"
    designs = {"valid_renamed": reference.replace("self.fc", "self.layer"),
               "valid_other_init": reference.replace(
                   "self.fc = nn.Linear(28 * 28, 10)",
                   "self.spare = nn.Linear(28 * 28, 3)\n        self.fc = nn.Linear(28 * 28, 10)")}
    for design, text in designs.items():
        (corpus / design).mkdir(parents=True)
        (corpus / design / "calc.py").write_text(text)
    assert cli.main(["calibrate", NAME, "--project", str(course.root)]) == 0
    printed = capsys.readouterr().out
    assert ("Linear                   valid_renamed: the reference's trained weights on seeds "
            "11, 12: the reference's runs stand for it") in printed
    assert "seed 13     accuracy" in printed and "(valid_renamed)" not in printed.split(
        "stand for it")[1]
    assert "valid_other_init: the reference's" not in printed
    assert len([line for line in printed.splitlines() if "(valid_other_init)" in line]) == 20


@pytest.mark.parametrize(("models", "message"), [
    ('["calc.Lineer"]', "'calc.Lineer': calc.py defines no Lineer (it defines Linear, "),
    ('["calcs.Linear"]', "'calcs.Linear': no calcs.py in "),
])
def test_a_misspelt_model_is_a_clear_error_before_any_training(course, models, message):
    config = course.assignments / NAME / "assignment.toml"
    config.write_text(config.read_text().replace('models = ["calc.Linear"]',
                                                 f"models = {models}"))
    with pytest.raises(ConfigError, match=re.escape(message)):
        calibrate.calibrate(course, NAME, 20, "cpu", report=lambda line: None)
