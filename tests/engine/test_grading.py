"""Grading the example assignment end to end: exact rows, scores and failure paths."""

import json
import zipfile

import pytest

from grader.assignment import loading
from grader.judge import runner

# number -> (score, max_score, status) for the example assignment
GOOD = {
    "1.1": (1, 1, "passed"), "1.2": (2, 2, "passed"),
    "1.3.1": (1, 1, "passed"), "1.3.2": (1, 1, "passed"), "1.3.3": (1, 1, "passed"),
    "2.1": (4, 4, "passed"), "3.1": (2, 2, "passed"), "3.2": (1, 1, "passed"),
    "4.1": (1, 1, "passed"), "5.1": (0, 1, "failed"), "5.2": (0, 1, "failed"),
    "5.3": (0, 0, "passed"),
    "6.1": (2, 2, "passed"), "6.2": (4, 4, "passed"), "6.3": (1, 1, "passed"),
    "6.4": (0, 0, "passed"),
}
WRONG = {
    **GOOD,
    "1.2": (0, 2, "failed"),
    "1.3.1": (0, 1, "failed"), "1.3.2": (0, 1, "failed"), "1.3.3": (0, 1, "failed"),
    "2.1": (3, 4, "failed"),     # partial credit kept although the test fails
    "3.1": (0, 2, "failed"), "3.2": (0, 1, "failed"),
    "4.1": (0, 1, "failed"),     # LEADERBOARD_VALUE is an int, not a float
    "6.2": (2, 4, "passed"),     # gradescope-utils set_score: points, status from the test
}
ZERO = {n: (0, mx, "failed") for n, (_, mx, _) in GOOD.items()}


def rows(document):
    return {t["number"]: (t["score"], t["max_score"], t["status"]) for t in document["tests"]}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, request):
    """Grade each example submission once per module (in-process backend)."""
    cache = {}
    root = request.config.rootpath / "tests/fixtures"

    def grade(name, assignment="example", source=None):
        if (name, assignment) not in cache:
            out = tmp_path_factory.mktemp(name) / "results.json"
            doc = runner.grade(loading.load(root / assignment), source or root / "submissions" / name,
                               out, device="cpu", sandbox=False)
            assert json.loads(out.read_text()) == doc
            cache[name, assignment] = doc
        return cache[name, assignment]
    return grade


def test_reference_like_submission_scores_every_gradable_point(graded, valid_results):
    doc = valid_results(graded("good"))
    assert rows(doc) == GOOD
    assert doc["score"] == 21
    assert doc["leaderboard"] == [
        {"name": "accuracy", "value": 0.5, "order": "desc"},
        {"name": "speed", "value": 0.25, "order": "asc"},
    ]


def test_wrong_submission_loses_exactly_the_points_of_its_mistakes(graded, valid_results):
    doc = valid_results(graded("wrong"))
    assert rows(doc) == WRONG
    assert doc["score"] == 9
    by_number = {t["number"]: t for t in doc["tests"]}
    assert "got int 1" in by_number["3.1"]["output"]
    assert "Largest difference" in by_number["1.2"]["output"]
    assert "Your code printed:\nadding 2 3" in by_number["1.1"]["output"]


def test_metadata_reaches_every_row(graded):
    by_number = {t["number"]: t for t in graded("good")["tests"]}
    assert by_number["1.1"]["tags"] == ["arithmetic"]
    assert by_number["6.1"]["tags"] == ["legacy"]
    assert by_number["3.1"]["visibility"] == "hidden"
    assert by_number["3.2"]["visibility"] == "after_due_date"
    assert by_number["6.3"]["visibility"] == "after_published"
    assert "visibility" not in by_number["1.1"]
    assert by_number["1.3.2"]["name"] == "softmax() rows sum to one [shape1]"
    assert all(t["output_format"] == "text" for t in by_number.values())


def test_hide_errors_replaces_the_reason(graded):
    by_number = {t["number"]: t for t in graded("wrong")["tests"]}
    assert by_number["3.2"]["output"] == (
        "The model check failed; details are released after the due date.")
    assert by_number["6.3"]["status"] == "passed"
    empty = {t["number"]: t for t in graded("empty")["tests"]}
    assert empty["6.3"]["output"] == "Hidden failure message"


def test_skeleton_scores_zero_with_its_todo_messages(graded, valid_results):
    doc = valid_results(graded("empty"))
    assert {n: r for n, r in rows(doc).items() if r[1] > 0} == {
        n: r for n, r in ZERO.items() if r[1] > 0}
    by_number = {t["number"]: t for t in doc["tests"]}
    assert by_number["1.1"]["output"].startswith("add is not implemented yet: TODO: return a + b")
    assert doc["leaderboard"] == []


def test_skip_and_setup_error_score_zero_but_appear(graded):
    by_number = {t["number"]: t for t in graded("good")["tests"]}
    assert by_number["5.1"]["output"] == "Skipped (scores 0): needs a GPU"
    assert by_number["5.2"]["output"].startswith("The grader could not prepare this test")


def test_import_error_fails_each_test_and_explains_at_the_top(graded, valid_results):
    doc = valid_results(graded("broken_import"))
    assert all(t["score"] == 0 for t in doc["tests"])
    assert len(doc["tests"]) == len(GOOD)
    assert doc["output"].startswith("calc.py could not be imported: SyntaxError")
    assert "calc.py, line 4" in doc["output"]


def test_hostile_process_level_tricks_fail_only_their_tests(graded, valid_results):
    doc = valid_results(graded("hostile"))
    by_number = {t["number"]: t for t in doc["tests"]}
    assert doc["score"] == 0
    assert "tried to stop the grader (SystemExit" in by_number["1.1"]["output"]
    assert "KeyboardInterrupt" in by_number["2.1"]["output"]
    assert "a skip or exit from your code counts as a failure" in by_number["1.2"]["output"]
    flooded = by_number["1.1"]["output"]
    assert len(flooded) <= 10_000 and "output truncated" in flooded
    assert "\x00" not in flooded and "\x1b" not in flooded
    assert "LEADERBOARD_VALUE must be finite" in by_number["4.1"]["output"]


def test_an_uncollectable_hidden_file_keeps_the_total_and_names_nothing(graded, valid_results):
    """Its expected tests (expected_tests.json) fail as a grader problem; nothing leaks."""
    doc = valid_results(graded("good", assignment="broken_collection"))
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in doc["tests"]] == [
        ("test_add", 1, 1, "passed"), ("hidden: add() on secret inputs", 0, 1, "failed")]
    hidden = doc["tests"][1]
    assert hidden["visibility"] == "hidden" and "problem with the grader" in hidden["output"]
    assert "could not be loaded" in doc["output"]
    visible = json.dumps([doc["output"], *(t for t in doc["tests"] if t is not hidden)])
    assert "test_typo" not in visible and "never_collected" not in visible


def test_zip_submission_grades_like_the_folder_and_reports_extras(graded, tmp_path, fixtures_dir):
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(fixtures_dir / "submissions/good/calc.py", "hw/calc.py")
        z.writestr("hw/conftest.py", "raise SystemExit('never imported')")
        z.writestr("hw/notes.txt", "hello")
    doc = graded("zipped", source=archive)
    assert rows(doc) == GOOD
    assert "Ignored (not part of the assignment): hw/conftest.py, hw/notes.txt" in doc["output"]


def test_missing_and_oversized_files_are_named(tmp_path, fixtures_dir, valid_results):
    assignment = loading.load(fixtures_dir / "example")
    empty = tmp_path / "empty"
    empty.mkdir()
    doc = valid_results(runner.grade(assignment, empty, tmp_path / "r.json", sandbox=False))
    assert doc["output"].startswith("Missing from your submission: calc.py")
    assert doc["score"] == 0 and len(doc["tests"]) == len(GOOD)
    big = tmp_path / "big"
    big.mkdir()
    (big / "calc.py").write_text("#" * (65 * 1024))
    doc = runner.grade(assignment, big, tmp_path / "r2.json", sandbox=False)
    assert "too large: calc.py (65 KB)" in doc["output"]


def test_same_submission_same_results(graded, tmp_path, fixtures_dir):
    again = runner.grade(loading.load(fixtures_dir / "example"), fixtures_dir / "submissions/wrong",
                         tmp_path / "r.json", sandbox=False)
    first = graded("wrong")
    strip = [{k: v for k, v in t.items() if k != "extra_data"} for t in first["tests"]]
    assert [{k: v for k, v in t.items() if k != "extra_data"} for t in again["tests"]] == strip


def test_internal_crash_still_writes_a_valid_file(monkeypatch, tmp_path, fixtures_dir,
                                                  valid_results):
    def explode(*args, **kwargs):
        raise RuntimeError("pytest blew up")

    monkeypatch.setattr(runner.pytest, "main", explode)
    out = tmp_path / "results.json"
    doc = runner.grade(loading.load(fixtures_dir / "example"), fixtures_dir / "submissions/good",
                       out, sandbox=False)
    assert json.loads(out.read_text()) == valid_results(doc)
    assert doc["score"] == 0 and doc["tests"] == []
    assert "The grader failed before it could grade" in doc["output"]
    assert "pytest blew up" in doc["output"]


def test_extra_data_describes_the_run(graded):
    extra = graded("good")["extra_data"]
    assert extra["device"] == "cpu" and extra["seed"] == 7 and extra["assignment"] == "example"
    assert extra["cpu_count"] >= 1 and extra["torch_version"]
    assert extra["grader_version"]
