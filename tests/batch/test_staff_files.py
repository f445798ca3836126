"""What staff and students open shows students' text as text: never a formula, a link, a
script or a broken table. gradebook.csv from a hostile Gradescope export (parsed back cell
by cell), summary.md, `grader ci`'s job summary and log, the batch pictures and the
mutation report."""

import csv
import html
import json
import re
import zipfile

import pytest
import yaml
from conftest import TINY, tiny_submission
from markdown_it import MarkdownIt

from grader import cli, textsafe
from grader.authoring import mutate, mutation_report, mutation_run
from grader.authoring.reach import Reach
from grader.batch import ci, gradebook, plots
from grader.batch.gradebook import PassRate
from grader.batch.run import GRADED, GradedSubmission
from grader.batch.sources import Student, Submission
from grader.judge import results

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+2",
            "\t=1+1", "\r=1+1"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "| pipe |",
          "[link](javascript:x)", "![pixel](http://x/p.png)", "**bold** _it_ ~~gone~~",
          "`code` ```fence", "&lt;b&gt; &amp; \\| \\[", "<http://x>"]
BROKEN = ['Smith, "Bob"\nJr.', "Ada\ud800\x00 Lovelace\x1b[31m", "a\r\nb"]
HOSTILE = FORMULAS + MARKUP + BROKEN
# What a student's code raises and prints: the first line (what summaries show) dense
# with markup, the rest with what no file can hold.
MESSAGE = ("<script>x</script>|[a](javascript:x)|**b**|`c`\n"
           "\ud800 \x00 \x1b[2J ```\n::notice title=Autograding complete::Points 100/100")
HONEST_MESSAGE = "just an ordinary mistake\nover two lines"


def render(markdown: str) -> str:
    """HTML as GitHub would draw it (CommonMark with GitHub's tables and strikethrough)."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def tags(rendered: str) -> list[str]:
    return re.findall(r"<(/?[a-z0-9]+)", rendered)


def escaped(text: str) -> str:
    """`text` as an HTML renderer writes text: &, <, > and " escaped."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def shown(value: str) -> str:
    """How a value must read once drawn as text: cleaned, one line, trimmed like a cell."""
    return escaped(textsafe.one_line(value).strip())


@pytest.mark.parametrize("value", HOSTILE)
def test_a_csv_cell_is_text_a_spreadsheet_never_runs(value):
    cell = textsafe.csv_cell(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert textsafe.one_line(value) in (cell, cell[1:])  # the value, at most quoted
    assert "\n" not in cell and "\r" not in cell and textsafe.clean(cell) == cell


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_reads_as_written_in_a_table(value):
    rendered = render(f"| a | b |\n|---|---|\n| {textsafe.markdown(value)} | end |\n")
    assert tags(rendered) == tags(render("| a | b |\n|---|---|\n| text | end |\n"))
    assert re.search(r"<td>(.*)</td>\n<td>end</td>", rendered)[1] == shown(value)


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_code_reads_as_written_in_a_table_and_outside(value):
    in_table = render(f"| a |\n|---|\n| {textsafe.markdown_code(value, in_table=True)} |\n")
    code = escaped(textsafe.one_line(value))  # code keeps its spaces
    assert re.search(r"<td><code>(.*)</code></td>", in_table)[1] == code
    inline = render(f"see {textsafe.markdown_code(value)} here\n")
    assert re.fullmatch(r"<p>see <code>(.*)</code> here</p>\n", inline)[1] == code


@pytest.mark.parametrize("value", HOSTILE)
def test_a_markdown_block_no_line_can_close(value):
    text = f"{value}\n```\n````\nafter"
    rendered = render(textsafe.markdown_block(text, "text") + "\n\nbelow\n")
    assert tags(rendered) == ["pre", "code", "/code", "/pre", "p", "/p"]
    body = re.search(r'<pre><code class="language-text">(.*)</code></pre>', rendered,
                     re.DOTALL)[1]
    assert body == escaped(textsafe.clean(text)) + "\n"


def outcome(sid: str, students: tuple[Student, ...], score: float = 1.0) -> GradedSubmission:
    document = {"score": score, "tests": [
        {"name": "add() sums", "number": "1.1", "score": score, "max_score": 1.0,
         "status": "passed" if score else "failed"}]}
    return GradedSubmission(Submission(sid, TINY, students), document, GRADED)


def read_csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def assert_inert(table: list[list[str]]) -> None:
    """Every row as wide as the header; no cell a formula, a line break or a control."""
    assert {len(row) for row in table} == {len(table[0])}
    for row in table:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
            assert textsafe.one_line(cell) == cell, cell


def test_each_hostile_value_starts_its_own_cell_and_stays_text(tmp_path):
    outcomes = [outcome(f"s{i}", (Student(value, value, value),))
                for i, value in enumerate(HOSTILE)]
    path = tmp_path / "gradebook.csv"
    gradebook.write_csv(path, outcomes)
    table = read_csv(path)
    assert_inert(table)
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(HOSTILE) + 1
    for value, row in zip(HOSTILE, table[1:]):
        assert row[1:4] == [textsafe.csv_cell(value)] * 3


# ---- a Gradescope export with hostile metadata, graded by `grader batch` ----------------

def submitters(*people: tuple[str, str, str]) -> list[dict]:
    """As Gradescope writes them: Ruby symbols as keys."""
    return [{":name": name, ":email": email, ":sid": sid} for name, email, sid in people]


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """Two submissions of the same code: hostile names and messages, and an honest twin."""
    root = tmp_path_factory.mktemp("export")
    metadata = {
        "submission_1": {":submitters": submitters(
            (FORMULAS[0], FORMULAS[2], FORMULAS[3]), (BROKEN[0], FORMULAS[1], FORMULAS[4]),
            (MARKUP[0], MARKUP[3], MARKUP[2]), (BROKEN[1], MARKUP[1], FORMULAS[5]))},
        "submission_2": {":submitters": submitters(
            ("Ada Lovelace", "ada@example.edu", "1815"), ("Alan Turing", "at@ex.edu", "1912"),
            ("Grace Hopper", "gh@ex.edu", "1906"), ("Edsger Dijkstra", "ed@ex.edu", "1930"))},
    }
    for key, message in (("submission_1", MESSAGE), ("submission_2", HONEST_MESSAGE)):
        tiny_submission(root / "files" / key,
                        add=f"print({message!r}); raise ValueError({message!r})")
    with zipfile.ZipFile(root / "export.zip", "w") as archive:
        archive.writestr("export/submission_metadata.yml",
                         yaml.safe_dump(metadata, allow_unicode=True))
        for path in sorted((root / "files").rglob("*.py")):
            archive.write(path, f"export/{path.relative_to(root / 'files')}")
    out = root / "out"
    code = cli.main(["batch", str(TINY), str(root / "export.zip"), "-o", str(out),
                     "--jobs", "2"])
    assert code == 0
    return out


def test_the_gradebook_of_a_hostile_export_is_text_cell_by_cell(export):
    table = read_csv(export / "gradebook.csv")
    assert_inert(table)
    rows = {row[0]: row for row in table[1:]}
    hostile, twin = rows["submission_1"], rows["submission_2"]
    assert hostile[1] == ("'" + '=HYPERLINK("http://x","y"); Smith, "Bob" Jr.; '
                          "<script>alert(1)</script>; Ada\ufffd\ufffd Lovelace")
    assert hostile[2] == "'@SUM(1); +cmd|' /C calc'!A0; [link](javascript:x); <img src=x " \
                         "onerror=alert(1)>"
    assert hostile[3] == "'-1+2;  =1+1; | pipe |;  =1+1"
    assert hostile[4:] == twin[4:]  # the same points in every column as the honest twin
    assert len((export / "gradebook.csv").read_text(encoding="utf-8").splitlines()) == 3


def test_summary_md_draws_no_students_text(export):
    summary = (export / "summary.md").read_text(encoding="utf-8")
    rendered = render(summary)
    assert set(tags(rendered)) <= {"h1", "/h1", "h2", "/h2", "p", "/p", "ul", "/ul", "li",
                                   "/li", "img", "table", "/table", "thead", "/thead",
                                   "tbody", "/tbody", "tr", "/tr", "th", "/th", "td", "/td"}
    assert re.findall(r'<img src="([^"]*)"', rendered) == [
        "scores.png", "pass_rates.png", "accuracies.png"]
    for value in ("HYPERLINK", "SUM(", "cmd|", "script", "javascript", "pipe", "Lovelace"):
        assert value not in summary


def results_of(export, key: str) -> dict:
    return json.loads((export / key / "results.json").read_text(encoding="utf-8"),
                      strict=True)


def test_the_ci_summary_of_a_hostile_message_is_drawn_as_its_twins(export):
    hostile, twin = results_of(export, "submission_1"), results_of(export, "submission_2")
    assert [(t["score"], t["status"]) for t in hostile["tests"]] == \
        [(t["score"], t["status"]) for t in twin["tests"]]
    drawn = render(ci.markdown(hostile, "tiny", public_only=False))
    assert tags(drawn) == tags(render(ci.markdown(twin, "tiny", public_only=False)))
    assert "failed: Your code raised ValueError while running add: &lt;script&gt;x" \
           "&lt;/script&gt;|[a](javascript:x)|**b**|`c`</td>" in drawn


def test_the_ci_log_runs_students_text_with_workflow_commands_stopped(monkeypatch, capsys,
                                                                       tmp_path):
    """GitHub reads `::command::` lines of a job's log: a student's line could add the
    annotation that carries the points. Between stop-commands and its token, it is text."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    failed = results.TestResult(name="add() sums", max_score=1.0, output=MESSAGE, number="1.1")
    document = results.build([failed], output=MESSAGE, visibility="visible",
                             execution_time=1.0, extra_data={}, leaderboard=[])
    ci.publish(document, "tiny", public_only=False)
    lines = capsys.readouterr().out.splitlines()
    token = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[0])[1]
    resume = lines.index(f"::{token}::")
    assert any("::notice title=Autograding complete::Points 100/100" in line
               for line in lines[1:resume])
    assert lines[resume + 1:] == ["Points 0/1",
                                  "::notice title=Autograding complete::Points 0/1"]
    drawn = render((tmp_path / "summary.md").read_text(encoding="utf-8"))
    assert tags(drawn).count("pre") == 1 and "&lt;script&gt;" in drawn
    assert "Points 100/100\n</code></pre>" in drawn  # the whole output, inside its block


def test_a_dollar_in_a_test_name_does_not_stop_the_pictures(tmp_path):
    """matplotlib reads "$...$" as mathematics and fails the whole picture on bad input."""
    rates = [PassRate("1.1 costs $\\frac$ and $x^$", 1, 2), PassRate("1.2 \x00\ud800", 2, 2)]
    picture = plots.pass_rates(tmp_path / "pass_rates.png", rates)
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_the_mutation_report_shows_names_code_and_faults_as_written():
    source = ('def pick(a, b):\n    # BEGIN SOLUTION\n    """Either, as in ```a | b```."""\n'
              "    return a | b\n    # END SOLUTION\n")
    first, second = mutate.mutants(source, "pick.py")
    reference = mutation_run.Scored(1.0, 1.0)
    verdicts = [
        mutation_run.Verdict(first, reference, "survived"),
        mutation_run.Verdict(first, mutation_run.Scored(0.0, 1.0), "killed",
                             killed_by=(f"1.1 pick() {MARKUP[2]} {MARKUP[0]}",)),
        mutation_run.Verdict(first, mutation_run.Scored(fault=MARKUP[1] + " | x"), "fault")]
    run = mutation_run.MutationRun(
        "pick", mutation_run.MutationSettings(), (), None, 0, [first, second], [second],
        Reach({"pick.py": frozenset()}, 1.0, 1.0, "cpu"), reference, verdicts, "today", 1.0)
    drawn = render(mutation_report.markdown(run))
    assert "script" not in tags(drawn) and "img" not in tags(drawn)
    assert f"<td>1.1 pick() {shown(MARKUP[2])} {shown(MARKUP[0])}</td>" in drawn
    assert "<td><code>a | b -&gt; b</code></td>" in drawn  # the unreached mutant's change
    assert '-    return a | b\n+    return a\n     # END SOLUTION\n</code></pre>' in drawn
    assert f"{shown(MARKUP[1])} | x</li>" in drawn
