"""The small TOML writer behind generated configs and calibration."""

import tomllib

import pytest

from grader.authoring.tomltext import dumps, replace_tables

CONFIG = """\
# The assignment.
[assignment]
name = "x"  # kept with its comment

# Calibrated thresholds.
[thresholds]
old = 1

[thresholds.cpu]
Net = 0.5

[grading]
time_budget_s = 60
"""


def test_dumps_round_trips_nested_tables_lists_and_quoted_keys():
    document = {"assignment": {"name": "a \"b\"\n", "seed": 3, "on": True, "rate": 0.25},
                "submission": {"files": ["a.py", "b.py"]},
                "thresholds": {"cpu": {"SimpleCNN(batch_norm=True)": 0.9}}}
    text = dumps(document)
    assert tomllib.loads(text) == document
    assert '[thresholds.cpu]\n"SimpleCNN(batch_norm=True)" = 0.9\n' in text


@pytest.mark.parametrize("value", [float("nan"), None, {1, 2}])
def test_dumps_refuses_values_toml_cannot_hold(value):
    with pytest.raises((ValueError, TypeError)):
        dumps({"t": {"v": value}})


def test_replace_tables_rewrites_in_place_and_keeps_everything_else():
    text = replace_tables(CONFIG, {"thresholds": {"cpu": {"Net": 0.75}},
                                   "calibration": {"seeds": [1, 2]}})
    assert text == """\
# The assignment.
[assignment]
name = "x"  # kept with its comment

# Calibrated thresholds.
[thresholds.cpu]
Net = 0.75

[grading]
time_budget_s = 60

[calibration]
seeds = [1, 2]
"""


def test_a_comment_after_a_rewritten_table_stays_with_the_table_it_introduces():
    text = ("[thresholds.cpu]\nNet = 0.5\n# inside: goes with the table\nOld = 0.1\n\n"
            "# The mutation settings.\n[mutation]\nbar = 0.9\n")
    assert replace_tables(text, {"thresholds": {"cpu": {"Net": 0.75}}}) == (
        "[thresholds.cpu]\nNet = 0.75\n\n# The mutation settings.\n[mutation]\nbar = 0.9\n")


def test_a_comment_above_a_rewritten_sub_table_stays_above_it():
    text = ("[thresholds.cpu]\nNet = 0.5\n\n# Not calibrated on a GPU yet.\n[thresholds.cuda]\n"
            "Net = 0.4\n\n[mutation]\nbar = 0.9\n")
    assert replace_tables(text, {"thresholds": {"cpu": {"Net": 0.75}, "cuda": {"Net": 0.4}}}) == (
        "[thresholds.cpu]\nNet = 0.75\n\n# Not calibrated on a GPU yet.\n[thresholds.cuda]\n"
        "Net = 0.4\n\n[mutation]\nbar = 0.9\n")
