"""A progress line on the judge's terminal for each test marked `training`.

    6.1.3 training SimpleCNN (fixed budget: 100 steps, batch size 64) ... 34 s

The first part is written when the test's call starts and the seconds when it
ends, through pytest's terminal reporter while output capture is suspended:
the line is never part of a test's output, nor of results.json.
"""

from __future__ import annotations

import time

import pytest

from grader.assignment import Assignment
from grader.judge.session import Outcome

MARKER = "training: trains a model with the assignment's fixed budget (a progress line shows it)"


def trained_model(item: pytest.Item, assignment: Assignment) -> str | None:
    """The model a parametrized case trains, when its id names one of [calibration] models."""
    case = getattr(getattr(item, "callspec", None), "id", None)
    trained = {*assignment.settings.calibration.model_names, *assignment.settings.training.models}
    return case if case in trained else None


def budget(assignment: Assignment, model: str | None) -> str | None:
    """`100 steps, batch size 64`: the fixed budget of [training] (and [training.<model>])."""
    if "training" not in assignment.config:
        return None
    recipe = assignment.recipe(model)
    length = (f"{recipe.steps} steps" if recipe.steps else
              f"{recipe.epochs} epoch{'s' if recipe.epochs != 1 else ''}")
    return f"{length}, batch size {recipe.batch_size}"


def describe(item: pytest.Item, outcome: Outcome) -> str:
    """What the test is training, and with which budget."""
    assignment = outcome.assignment
    model = trained_model(item, assignment)
    fixed = budget(assignment, model)
    return " ".join(filter(None, [
        outcome.spec.number, f"training {model}" if model else f"{outcome.spec.name}: training",
        f"(fixed budget: {fixed})" if fixed else None]))


class TrainingProgress:
    """Hooks: the progress line around the call of every graded test marked `training`."""

    def __init__(self, config: pytest.Config, outcome_key: pytest.StashKey[Outcome]):
        self.config, self.outcome_key = config, outcome_key
        config.addinivalue_line("markers", MARKER)

    @pytest.hookimpl(wrapper=True, tryfirst=True)  # outside the capture of the call
    def pytest_runtest_call(self, item: pytest.Item):
        outcome = item.stash.get(self.outcome_key, None)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if outcome is None or reporter is None or item.get_closest_marker("training") is None:
            return (yield)
        if reporter._tw.width_of_current_line:  # after pytest's progress dots
            reporter.write("\n")
        reporter.write(f"{describe(item, outcome)} ... ", flush=True)
        started = time.monotonic()
        try:
            return (yield)
        finally:
            reporter.write_line(f"{time.monotonic() - started:.0f} s")
