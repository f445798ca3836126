"""results.json text cleaning and the atomic, single write."""

import json
import os

import pytest

from grader.judge import results


def test_clean_text_strips_control_and_escape_sequences():
    text = "ok\r\nbold \x1b[1mred\x1b[0m\x00end\x07\ttab"
    assert results.clean_text(text, 1000) == "ok\nbold red\ufffdend\ufffd\ttab"


def test_clean_text_caps_and_says_so():
    capped = results.clean_text("x" * 5000, 1000)
    assert len(capped) <= 1000
    assert len(capped) == 1000
    assert capped.endswith("\n[... output truncated: 4000 more characters]")


def test_write_atomic_replaces_whole_file(tmp_path):
    path = tmp_path / "results" / "results.json"
    results.write_atomic(path, {"score": 1})
    results.write_atomic(path, {"score": 2, "tests": []})
    assert json.loads(path.read_text()) == {"score": 2, "tests": []}
    assert os.listdir(path.parent) == ["results.json"]


def test_write_atomic_failure_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    results.write_atomic(path, {"score": 1})

    def broken_replace(*args):
        raise OSError("disk full")

    monkeypatch.setattr(results.os, "replace", broken_replace)
    with pytest.raises(OSError):
        results.write_atomic(path, {"score": 2})
    assert json.loads(path.read_text()) == {"score": 1}
    assert os.listdir(tmp_path) == ["results.json"]


def test_values_json_cannot_hold_are_refused_before_writing(tmp_path):
    path = tmp_path / "results.json"
    with pytest.raises(ValueError):
        results.write_atomic(path, {"score": float("nan")})
    assert not path.exists() and os.listdir(tmp_path) == []
