"""Text a submission controls reaches results.json, the summary and logs safely.

Lone surrogates, NULs, invalid UTF-8, terminal escapes, rich markup and very long
lines: the text is cleaned where it enters the results document, writing the file
never fails for what a text holds, and every test is still listed.
"""

import json
from pathlib import Path

import pytest
from rich.console import Console

from grader import textsafe
from grader.assignment import Assignment, read_results
from grader.judge import metadata, report, results
from grader.judge.session import Outcome

HOSTILE = ("lone \ud800 and \udfff, NUL \x00, bell \x07, DEL \x7f, C1 \x9b, "
           "\x1b[31mred\x1b[0m, \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\, "
           "title\x1b]0;pwned\x07, [bold red]markup[/bold red] [link=http://x]y[/link]")


def strict_json(text: str) -> dict:
    """As a strict reader parses it: UTF-8 bytes, no control characters inside strings."""
    return json.loads(text.encode("utf-8").decode("utf-8", "strict"), strict=True)


def printable(text: str) -> bool:
    return all(ch in "\t\n" or (ch.isprintable() and not "\ud800" <= ch <= "\udfff")
               for ch in text)


def test_clean_makes_any_text_valid_printable_unicode():
    cleaned = textsafe.clean(HOSTILE)
    assert printable(cleaned)
    cleaned.encode("utf-8")  # no lone surrogate left to refuse
    assert "\x1b" not in cleaned and "pwned" not in cleaned  # escapes go, with their payload
    assert cleaned.startswith("lone \ufffd and \ufffd, NUL \ufffd, bell \ufffd, DEL \ufffd")
    assert "red, link, title, [bold red]markup[/bold red]" in cleaned  # the words stay


def test_clean_decodes_invalid_utf8_with_replacement_and_keeps_text():
    assert textsafe.clean(b"ok \xff\xfe\xed\xa0\x80 caf\xc3\xa9\r\nnext\rline") == \
        "ok \ufffd\ufffd\ufffd\ufffd\ufffd café\nnext\nline"
    assert textsafe.clean("tabs\tand\nnewlines, ünïcödé, 中文, emoji 🙂") == \
        "tabs\tand\nnewlines, ünïcödé, 中文, emoji 🙂"


def test_an_unterminated_escape_takes_no_later_line_with_it():
    assert textsafe.clean("\x1b]0;never ended\nthe grader's next line") == \
        "\nthe grader's next line"


def test_a_very_long_line_is_cleaned_and_capped_quickly():
    line = ("\ud800\x00\x1b[1mx" * 250_000)  # one million characters, no newline
    capped = results.clean_text(line, results.TEST_OUTPUT_LIMIT)
    assert len(capped) == results.TEST_OUTPUT_LIMIT
    assert capped.startswith("\ufffd\ufffdx\ufffd\ufffdx")
    assert capped.endswith("[... output truncated: 740000 more characters]")


def row(output: str, name: str = "add() sums") -> results.TestResult:
    return results.TestResult(name=name, max_score=1.0, score=1.0, status="passed",
                              output=output, number="1.1")


def document(*tests: results.TestResult, output: str = "", leaderboard=()) -> dict:
    return results.build(list(tests), output=output, visibility="visible", execution_time=1.0,
                         extra_data={}, leaderboard=list(leaderboard))


def test_results_json_lists_every_test_whatever_the_output_holds(tmp_path, valid_results):
    """Before, one lone surrogate made the whole file "0/0 points, 0 tests"."""
    tests = [row(HOSTILE), row("fine", name=f"test {HOSTILE}"),
             results.TestResult(name="mul()", max_score=2.0, output="\ud800", number="1.2")]
    path = tmp_path / "results.json"
    written = results.write_json(path, document(*tests, output=f"import: {HOSTILE}",
                                                leaderboard=[{"name": "speed", "value": "\ud800"}]))
    on_disk = valid_results(strict_json(path.read_text(encoding="utf-8")))
    assert on_disk == written
    assert [(t["number"], t["score"], t["status"]) for t in on_disk["tests"]] == [
        ("1.1", 1.0, "passed"), ("1.1", 1.0, "passed"), ("1.2", 0.0, "failed")]
    assert on_disk["score"] == 2.0
    texts = [on_disk["output"], on_disk["leaderboard"][0]["value"],
             *(t[key] for t in on_disk["tests"] for key in ("name", "output"))]
    assert all(printable(text) for text in texts)
    assert "repair" not in on_disk["output"]  # cleaned where it entered, not rescued


def test_a_value_that_slipped_past_is_repaired_and_every_test_kept(tmp_path, valid_results):
    built = document(row("ok"), results.TestResult(name="mul()", max_score=2.0, number="1.2"))
    built["extra_data"] = {"note \ud800": "\ud800", "path": Path("/x"), "nan": float("nan")}
    built["tests"][1]["score"] = float("nan")
    path = tmp_path / "results.json"
    written = valid_results(results.write_json(path, built))
    assert strict_json(path.read_text(encoding="utf-8")) == written
    assert [(t["name"], t["score"]) for t in written["tests"]] == [("add() sums", 1.0),
                                                                   ("mul()", 0.0)]
    assert written["score"] == 1.0
    assert written["extra_data"] == {"note \ufffd": "\ufffd", "path": "/x", "nan": 0.0}
    assert written["output"].startswith("The grader had to repair these results")


def spec(name: str = "plots the loss") -> metadata.TestSpec:
    return metadata.TestSpec(name=name, weight=2.0, visibility=None, number="6.1", tags=(),
                    leaderboard=None, hide_errors=None)


def test_a_flood_of_prints_keeps_the_reason_and_the_pictures():
    outcome = Outcome(spec(), Assignment(root=Path("/x"), name="x", title="x"),
                      reason="accuracy 30% is below 50%",
                      output=["\ud800\x00" + "spam " * 10_000], pictures=["pictures/6.1-loss.png"])
    output = outcome.row().as_json()["output"]
    assert output.startswith("accuracy 30% is below 50%\n\nYour code printed:\n\ufffd\ufffdspam")
    assert "[... output truncated:" in output
    assert output.endswith("\nPicture: pictures/6.1-loss.png")
    assert len(output) <= results.TEST_OUTPUT_LIMIT


def test_the_summary_shows_students_markup_as_typed():
    """rich markup in a name, a reason or the run's output is text, never styling or links."""
    failed = row(f"[bold red]Your code raised[/bold red] [link=http://x]here[/link] {HOSTILE}",
                 name="[blink]add()[/blink]")
    failed.status, failed.score = "failed", 0.0
    built = document(failed, output="[red]models.py could not be imported[/red] \x1b[2J")
    wide = Console(width=400, color_system=None, highlight=False)
    table = "\n".join(report.table(read_results(built).rows, console=wide))
    assert "[blink]add()[/blink]" in table
    assert "→ [bold red]Your code raised[/bold red] [link=http://x]here[/link] lone" in table
    summary = "\n".join(report.summary(built))
    assert "[red]models.py could not be imported[/red]" in summary
    assert "\x1b" not in summary and "\ud800" not in summary


@pytest.mark.parametrize("markup", ["[bold red]", "[/]", "[link=http://x]"])
def test_markup_in_a_coloured_summary_is_still_text(markup, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    failed = row(f"{markup}oops", name=f"{markup}name")
    failed.status = "failed"
    text = "\n".join(report.summary(document(failed)))
    assert "\x1b[" in text  # coloured
    assert f"{markup}name" in text and f"{markup}oops" in text
