"""Helpers of the batch tests: the tiny assignment and submissions made for it."""

import json
from pathlib import Path

import pytest

collect_ignore = ["fixtures"]

TINY = Path(__file__).parent / "fixtures" / "tiny"
CALC = '''
import time

ACCURACY = {accuracy}
KILL_JUDGE = {kill_judge}


def add(a, b):
    {add}


def mul(a, b):
    return a * b{mul_error}
'''


def tiny_submission(folder: Path, *, accuracy: float = 0.9, add: str = "return a + b",
                    mul_error: str = "", kill_judge: bool = False) -> Path:
    """A submission of the tiny assignment, right unless told otherwise."""
    folder.mkdir(parents=True)
    (folder / "calc.py").write_text(CALC.format(accuracy=accuracy, add=add, mul_error=mul_error,
                                                kill_judge=kill_judge))
    return folder


def without_timings(document: dict) -> dict:
    """What two gradings of one submission share: all but durations and per-run details."""
    document = json.loads(json.dumps(document))
    document.pop("execution_time")
    for test in document["tests"]:
        test["extra_data"].pop("duration_s", None)
    document["extra_data"].pop("sandbox", None)  # the worker user and the results folder
    return document


@pytest.fixture
def tiny_class(tmp_path) -> dict[str, Path]:
    """Four submissions: right, wrong, one that kills the judge, one that hangs."""
    root = tmp_path / "class"
    return {
        "good": tiny_submission(root / "good"),
        "wrong": tiny_submission(root / "wrong", accuracy=0.3, mul_error=" + 1"),
        "judge_killer": tiny_submission(root / "judge_killer", kill_judge=True),
        "hangs": tiny_submission(root / "hangs", add="time.sleep(3600)"),
    }
