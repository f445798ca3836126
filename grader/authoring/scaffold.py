"""`grader new NAME`: a new assignment that templates, builds and passes its selftest as is.

It writes, under the course repository:

    assignments/<name>/assignment.toml       the configuration, commented
    assignments/<name>/conftest.py           judge-side fixtures shared by the test files
    assignments/<name>/test_public.py        tests students receive
    assignments/<name>/test_hidden.py        tests they do not
    assignments/<name>/test_submissions/wrong_sign/   a wrong submission and what it scores
    solutions/<name>/functions.py            the reference, with solution markers

Replace the example function and its tests with the assignment's own; keep the
shape.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.assignment import CONFIG_NAME, ConfigError
from grader.authoring.project import Project

NAME = re.compile(r"[a-z][a-z0-9_]*")
MODULE = "functions"  # the submission's module; it may not share the assignment's name

CONFIG = '''\
# {name}: scaffolded by `grader new`; see docs/authoring.md for every table and key.
[assignment]
name = "{name}"
title = "{name}"
seed = 1
# requirements = ["scikit-learn==1.7.2"]    # pip packages beyond the course's requirements.txt

[submission]
files = ["{module}.py"]                     # what students upload; nothing else is read
max_file_kb = 256

[grading]
time_budget_s = 300                         # the whole run
call_timeout_s = 60                         # one call into student code

# What students receive in student_template/{name}/ (`grader template`).
[template]
public_tests = ["conftest.py", "test_public.py"]

# [extensions]
# datasets = "datasets.py"    # DATASETS = {{"name": loader}}: datasets of this assignment
# helpers = "helpers.py"      # functions tests call as submission.helpers.<name>(...)
'''

CONFTEST = '''\
"""Judge-side fixtures of {name}.

Test files cannot import each other (pytest imports them in importlib mode):
what several of them share goes here, as fixtures.
"""

import pytest
import torch


@pytest.fixture
def inputs(rng):
    """`inputs(*shape)`: a random tensor, different for every test but the same on every run."""
    return lambda *shape: torch.randn(*shape, generator=rng)
'''

PUBLIC = '''\
"""Public tests of {name}: students receive this file."""

import pytest
import torch

from grader.toolkit import checks


@pytest.mark.weight(1)
@pytest.mark.number("1.1")
def test_relu_keeps_positive_values(submission, inputs):
    """relu() keeps positive values as they are"""
    x = inputs(3, 4).abs() + 0.1
    out = checks.check_tensor(submission.{module}.relu(x), shape=(3, 4), dtype=torch.float32)
    checks.check_close(out, x, rtol=0, atol=0, name="relu(x)")
'''

HIDDEN = '''\
"""Hidden tests of {name}: never part of the student template."""

import pytest
import torch

from grader.toolkit import checks


@pytest.mark.weight(2)
@pytest.mark.number("2.1")
@pytest.mark.visibility("hidden")
def test_relu_zeroes_negative_values(submission, inputs):
    """relu() maps negative values to zero"""
    x = inputs(5, 6)
    out = checks.check_tensor(submission.{module}.relu(x), shape=(5, 6), dtype=torch.float32)
    checks.check_close(out, x.clamp(min=0), rtol=0, atol=0, name="relu(x)")
'''

SOLUTION = '''\
"""{name}: the reference solution. `grader template` turns it into the students' skeleton."""

import torch


def relu(x: torch.Tensor) -> torch.Tensor:
    """max(x, 0), element by element."""
    # BEGIN SOLUTION
    # TODO: keep positive values, replace the others by zero
    return x.clamp(min=0)
    # END SOLUTION
'''

WRONG = '''\
"""A wrong submission: relu() returns absolute values."""

import torch


def relu(x: torch.Tensor) -> torch.Tensor:
    return x.abs()
'''

EXPECTED = '''\
# `grader selftest {name}` grades this folder as a submission and checks:
score = 1           # its total score
failed = ["2.1"]    # and exactly which tests fail (numbers or names)
'''


def new(project: Project, name: str) -> list[Path]:
    """Write a new assignment `name` into `project`; return the files written."""
    if not NAME.fullmatch(name) or name == MODULE:
        raise ConfigError(f"{name!r}: an assignment name is lower case letters, digits and "
                          f"underscores, starting with a letter (and not {MODULE!r})")
    folder, solution = project.assignments / name, project.root / "solutions" / name
    for existing in (folder, solution):
        if existing.exists():
            raise ConfigError(f"{existing} exists already")
    files = {
        folder / CONFIG_NAME: CONFIG,
        folder / "conftest.py": CONFTEST,
        folder / "test_public.py": PUBLIC,
        folder / "test_hidden.py": HIDDEN,
        folder / "test_submissions" / "wrong_sign" / f"{MODULE}.py": WRONG,
        folder / "test_submissions" / "wrong_sign" / "expected.toml": EXPECTED,
        solution / f"{MODULE}.py": SOLUTION,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name, module=MODULE))
    return list(files)
