"""Text no file can hold costs a submission nothing and loses no test's row.

The payload text_garbage, on the reference, prints lone surrogates, NULs, control
characters, terminal escapes, rich markup and HTML from Python, writes invalid UTF-8
below Python (fd 1 and 2), and makes count_parameters (5.1) raise with all of that in
its message. Every selected test must be in results.json, which a strict reader takes
(UTF-8, no control characters in strings); each scores what the reference scores, and
5.1 what the honest empty skeleton scores (it raises too).
"""

import json

import pytest

from grader.judge import manifest
from tests.attacks.conftest import ASSIGNMENT, FAST, Attack, expected_rows, rows

pytestmark = pytest.mark.slow

GARBAGE = Attack("text", "text_garbage", attacked=("5.1",))


def selected_numbers() -> set[str]:
    """The tests FAST's -k expression picks, from the assignment's expected test set."""
    keywords = FAST.split(" or ")
    return {t["number"] for t in manifest.load(ASSIGNMENT)
            if any(k in t["id"].split("::")[-1] for k in keywords)}


def refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def test_text_no_file_can_hold_costs_nothing(attack_run, baseline, tmp_path):
    run = attack_run(GARBAGE)
    data = (tmp_path / "results" / "results.json").read_bytes()
    on_disk = json.loads(data.decode("utf-8", "strict"), strict=True,
                         parse_constant=refuse_constant)
    document = run["document"]
    assert on_disk == document
    graded = rows(document)
    assert set(graded) == selected_numbers(), document["output"]
    assert graded == expected_rows(GARBAGE, baseline, list(graded))
    by_number = {t["number"]: t for t in document["tests"]}
    # The attack reached the rows it meant to, cleaned: the printed text and the message.
    printed = by_number["3.1.1"]["output"]
    assert "Your code printed:" in printed and "lone \ufffd \ufffd, NUL \ufffd" in printed
    assert "red, , [bold red]markup[/bold red]" in printed  # the escapes gone, words kept
    assert "invalid UTF-8: \ufffd\ufffd" in printed
    assert "count failed: lone \ufffd \ufffd" in by_number["5.1"]["output"]
    assert "[bold red]markup[/bold red]" in by_number["5.1"]["output"]
    for text in [document["output"], *(t["output"] for t in document["tests"])]:
        assert "\x1b" not in text and "\x00" not in text and "\ud800" not in text
