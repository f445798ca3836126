"""`grader mutate`: the mutant generator, sampling, settings, and a graded run with exact counts."""

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.assignment import Assignment, ConfigError, loading, parse
from grader.authoring import mutate, mutation_report, mutation_run
from grader.authoring.mutation_run import MutationSettings, Scored
from grader.authoring.reach import Reach

FIXTURE = Path(__file__).parents[1] / "fixtures" / "mutation"
STATS = FIXTURE / "solutions" / "stats_basics" / "stats.py"
HEADER = "import torch\nfrom torch import nn\n\n\ndef f(self, model, x, y, loss, optimizer):\n"


def solution(body: str) -> str:
    """A module whose function ``f`` has ``body`` as its solution block."""
    block = textwrap.indent(textwrap.dedent(body).strip() + "\n", "    ")
    return f"{HEADER}    # BEGIN SOLUTION\n{block}    # END SOLUTION\n"


def solved(text: str) -> str:
    """The solution block of a module made by ``solution``, dedented."""
    inside = text.split("# BEGIN SOLUTION\n")[1].split("    # END SOLUTION")[0]
    return textwrap.dedent(inside).strip()


def mutated(body: str, operator: str) -> list[str]:
    """The solution blocks one operator family makes of ``body``, in order."""
    return [solved(m.text) for m in mutate.mutants(solution(body), "m.py")
            if m.operator == operator]


@pytest.mark.parametrize(("operator", "body", "expected"), [
    ("arith", "return x - y * 2", ["return x + y * 2", "return x - y / 2"]),
    ("arith", "x //= 2\nreturn x ** 2", ["x /= 2\nreturn x ** 2", "x //= 2\nreturn x * 2"]),
    ("compare", "return x < y, x is not None, x not in y",
     ["return x <= y, x is not None, x not in y", "return x < y, x is None, x not in y",
      "return x < y, x is not None, x in y"]),
    ("const", "return x * 3, 0, 0.5, True",
     ["return x * 4, 0, 0.5, True", "return x * 2, 0, 0.5, True",
      "return x * 3, 1, 0.5, True", "return x * 3, 0, 0.25, True",
      "return x * 3, 0, 1.0, True", "return x * 3, 0, 0.5, False"]),
    ("keyword", "return x.sum(dim=-1, keepdim=True)",
     ["return x.sum(dim=0, keepdim=True)", "return x.sum(dim=-1, keepdim=False)"]),
    ("keyword", 'return loss(x, y, reduction="mean")', ['return loss(x, y, reduction="sum")']),
    ("keyword", "return x.std(unbiased=False), x.var(correction=0)",
     ["return x.std(unbiased=True), x.var(correction=0)",
      "return x.std(unbiased=False), x.var(correction=1)"]),
    ("layer", "return nn.Conv2d(3, 8, 5)",
     ["return nn.Conv2d(4, 8, 5)", "return nn.Conv2d(2, 8, 5)", "return nn.Conv2d(3, 9, 5)",
      "return nn.Conv2d(3, 7, 5)", "return nn.Conv2d(3, 8, 6)", "return nn.Conv2d(3, 8, 4)",
      "return nn.Conv2d(3, 8, 5, stride=2)", "return nn.Conv2d(3, 8, 5, padding=1)"]),
    ("layer", "return nn.MaxPool2d(2, padding=0), nn.Dropout(p=0.5), nn.Dropout(x)",
     ["return nn.MaxPool2d(3, padding=0), nn.Dropout(p=0.5), nn.Dropout(x)",
      "return nn.MaxPool2d(1, padding=0), nn.Dropout(p=0.5), nn.Dropout(x)",
      "return nn.MaxPool2d(2, padding=1), nn.Dropout(p=0.5), nn.Dropout(x)",
      "return nn.MaxPool2d(2, padding=0, stride=1), nn.Dropout(p=0.5), nn.Dropout(x)",
      "return nn.MaxPool2d(2, padding=0), nn.Dropout(p=0.0), nn.Dropout(x)",
      "return nn.MaxPool2d(2, padding=0), nn.Dropout(p=0.5), nn.Dropout(0.0)"]),
    ("swap_args", "return loss(x, y, model)",
     ["return loss(y, x, model)", "return loss(x, model, y)"]),
    ("swap_args", "return max(x, 0.0), torch.minimum(x, y)", []),  # symmetric
    ("drop_stmt", "optimizer.zero_grad()\nloss.backward()\ny += 1\nreturn y",
     ["pass\nloss.backward()\ny += 1\nreturn y", "optimizer.zero_grad()\npass\ny += 1\nreturn y",
      "optimizer.zero_grad()\nloss.backward()\npass\nreturn y"]),
    ("drop_call", "return model.eval(), self.fc(x) * torch.exp(y + 1), x.to(y), nn.Flatten(x)",
     ["return model, self.fc(x) * torch.exp(y + 1), x.to(y), nn.Flatten(x)",
      "return model.eval(), x * torch.exp(y + 1), x.to(y), nn.Flatten(x)",
      "return model.eval(), self.fc(x) * (y + 1), x.to(y), nn.Flatten(x)"]),
    ("unwrap_with", "with torch.no_grad():\n    y = model(x)\n    y.sum()\nreturn y",
     ["y = model(x)\ny.sum()\nreturn y"]),
    ("return_operand", "return x / y, x.sum()", ["return x, x.sum()", "return y, x.sum()"]),
])
def test_operator_family(operator, body, expected):
    assert mutated(body, operator) == expected


def test_only_solution_lines_are_mutated():
    source = textwrap.dedent("""\
        LIMIT = 2 * 3


        def f(x):
            y = x + 1
            # BEGIN SOLUTION
            z = y - (
                2)
            # END SOLUTION
            total = (z +
                y * 4)  # SOLUTION: total = None
            return total * 5  # SOLUTION ONLY
        """)
    found = mutate.mutants(source, "m.py")
    assert {m.line for m in found} == {7, 8, 11, 12}
    # `z + y * 4` starts on line 10, outside: only `y * 4`, all on line 11, is mutated
    assert {m.change for m in found if m.line == 11} == {"* -> /", "4 -> 5", "4 -> 3"}
    assert {m.change for m in found if m.line == 12} >= {"* -> /", "5 -> 6", "5 -> 4"}
    assert all(m.function == "f" for m in found)


def test_no_mutant_compiles_to_nothing_new():
    """Identical, duplicate and non-compiling changes are dropped."""
    assert mutated("return loss(x, x)", "swap_args") == []  # identical to the reference
    assert mutated("return x.sum(dim=1)", "keyword") == ["return x.sum(dim=0)"]
    assert mutated("return x.sum(dim=1)", "const") == ["return x.sum(dim=2)"]  # dim=0: taken
    assert mutated("return loss(*x)", "drop_call") == []  # `return (*x)` does not compile


def test_ids_are_stable_unique_and_name_the_place():
    source = solution("return x - y - 1, model.fc(x).eval()")
    first, second = mutate.mutants(source, "m.py"), mutate.mutants(source, "m.py")
    assert [(m.id, m.text) for m in first] == [(m.id, m.text) for m in second]
    assert len({m.id for m in first}) == len(first)
    assert all(re.fullmatch(r"m\.py:\d+:\d+:[a-z_]+:\d+", m.id) for m in first)
    # `x - y - 1` and `x - y` both start at column 12: the index tells them apart
    assert [m.id for m in first if m.operator == "arith"] == ["m.py:7:12:arith:0",
                                                               "m.py:7:12:arith:1"]


def test_a_survivor_reads_as_a_diff():
    mutant = mutate.mutants(STATS.read_text(), "stats.py")[0]
    assert (mutant.id, mutant.function, mutant.change) == (
        "stats.py:15:5:return_operand:0", "center", "x - x.mean(dim=0, keepdim=True) -> x")
    assert "-    return x - x.mean(dim=0, keepdim=True)\n+    return x\n" in mutant.diff()
    assert mutant.diff().startswith("--- a/stats.py\n+++ b/stats.py\n")


def fake(function: str, n: int) -> mutate.Mutant:
    return mutate.Mutant(f"m.py:{n}:1:const:0", "m.py", n, 1, "const", function, "", (n, n),
                         (n, n), "", "")


def test_sample_spreads_over_functions_then_within_each():
    found = [fake("a", n) for n in range(5)] + [fake("b", 5)] + [fake("c", n)
                                                                for n in range(6, 10)]
    chosen = mutate.sample(found, 4)
    assert [m.line for m in chosen] == [2, 5, 7, 9]  # a's middle, b, the middles of c's halves
    assert mutate.sample(found, 4) == chosen
    assert mutate.sample(found, 50) == found
    assert len(mutate.sample(found, 8)) == 8


def test_sample_smaller_than_the_functions_picks_spread_functions():
    found = [fake(name, 10 * i + n) for i, name in enumerate("abc") for n in range(10)]
    assert [m.line for m in mutate.sample(found, 2)] == [5, 25]


def test_sample_of_the_fixture_covers_every_function():
    chosen = mutate.sample(mutate.mutants(STATS.read_text(), "stats.py"), 4)
    assert [m.function for m in chosen] == ["center", "clip", "halvings", "scale"]


@pytest.mark.parametrize("table", [
    {"bar": 1.5}, {"bar": True}, {"equivalent": [{"id": "m.py:1:1:const:0"}]},
    {"equivalent": [{"id": "m.py:1:1:const:0", "reason": " "}]},
])
def test_bad_mutation_settings_are_config_errors(table):
    with pytest.raises(ConfigError, match=r"\[mutation"):
        MutationSettings.of(Assignment(root=Path("/x"), name="x", title="x",
                               settings=parse({"mutation": table})))


def test_mutation_settings():
    assignment = loading.load(FIXTURE / "assignments" / "stats_basics")
    settings = MutationSettings.of(assignment)
    assert settings.bar == 0.95
    assert set(settings.equivalent) == {"stats.py:15:30:keyword:0", "stats.py:32:9:arith:0"}
    assert settings.prescreen == ("-k", "not halvings")
    assert MutationSettings.of(Assignment(root=Path("/x"), name="x", title="x")) == MutationSettings(0.95, {})


def test_each_mutant_knows_its_statement_and_function_body():
    found = {m.id: m for m in mutate.mutants(STATS.read_text(), "stats.py")}
    # `if factor == 0:` is a statement spanning its branch; the branch's return is its own
    assert found["stats.py:40:8:compare:0"].statement == (40, 41)
    assert found["stats.py:41:16:drop_call:0"].statement == (41, 41)
    assert {m.body for m in found.values() if m.function == "scale"} == {(38, 42)}
    assert found["stats.py:32:9:arith:0"].body == (27, 34)  # halvings' body, its loop too


def reach_of(lines: set[int], score: float = 7.0) -> Reach:
    return Reach({"stats.py": frozenset(lines)}, score, 7.0, "cpu")


def test_a_mutant_is_unreached_when_its_function_runs_but_its_statement_does_not():
    found = {m.id: m for m in mutate.mutants(STATS.read_text(), "stats.py")}
    branch, condition = found["stats.py:41:16:drop_call:0"], found["stats.py:40:8:compare:0"]
    ran = reach_of({15, 22, 32, 40, 42})
    assert ran.unreached(branch) and not ran.unreached(condition)
    assert not reach_of({15, 22, 32}).unreached(branch)  # scale never called: a gap, graded
    assert not reach_of({15, 22, 32, 40, 42}, score=6.0).unreached(branch)  # proves nothing


def test_a_mutant_is_graded_with_the_tests_that_reach_its_function():
    """center's test runs lines 15 only; scale's runs 40 and 42; halvings ran at import
    (as a module-level call would): a change there reaches every test."""
    found = {m.function: m for m in mutate.mutants(STATS.read_text(), "stats.py")}
    ran = Reach({"stats.py": frozenset({15, 32, 40, 42})}, 7.0, 7.0, "cpu", by_test={
        "t.py::test_center": {"stats.py": frozenset({15})},
        "t.py::test_scale": {"stats.py": frozenset({40, 42})},
        "t.py::test_clip": {}},
        at_import={"stats.py": frozenset({32})},
        labels={"t.py::test_center": "1.1 center", "t.py::test_scale": "1.2 scale",
                "t.py::test_clip": "1.3 clip"})
    assert ran.tests_for(found["center"]) == {"t.py::test_center"}
    assert ran.tests_for(found["scale"]) == {"t.py::test_scale"}
    assert ran.tests_for(found["clip"]) == frozenset()  # no test calls it
    assert ran.tests_for(found["halvings"]) is None
    assert dataclasses.replace(ran, score=6.0).tests_for(found["center"]) is None
    base = Scored(3.0, 3.0, points=(("1.1 center", 1.0), ("1.2 scale", 1.0), ("1.3 clip", 1.0)))
    assert mutation_run._only(ran, frozenset({"t.py::test_center"}), base) == (
        "--deselect", "t.py::test_clip", "--deselect", "t.py::test_scale")
    assert mutation_run._only(ran, None, base) == ()
    prescreen = Scored(1.0, 1.0, points=(("1.2 scale", 1.0),))  # center's test left out
    assert mutation_run._only(ran, frozenset({"t.py::test_center"}), prescreen) is None


def test_a_survivor_in_a_function_listed_as_design_is_a_design_choice():
    """A survivor of a `[[mutation.design]]` function is excluded with the function's reason;
    a killed mutant there still counts as killed."""
    found = mutate.mutants(STATS.read_text(), "stats.py")
    settings = MutationSettings(design={"stats.py:clip": "any clip at or below 0 passes the rules"})
    clip, center = (next(m for m in found if m.function == name) for name in ("clip", "center"))
    reference, same, lower = (Scored(score, 7.0, points=(("1.1 clip", score),))
                              for score in (7.0, 7.0, 4.0))
    assert mutation_run._status(clip, same, reference, settings) == "design"
    assert mutation_run._status(clip, lower, reference, settings) == "killed"
    assert mutation_run._status(center, same, reference, settings) == "survived"
    run = mutation_run.MutationRun(
        "stats_basics", settings, (), None, 0, found, [], reach_of(set()), reference,
        [mutation_run.Verdict(clip, same, "design")], "today", 1.0)
    assert run.score is None and run.counts["design"] == 1 and run.warnings() == []
    renamed = MutationSettings(design={"stats.py:clamp": "a function renamed since"})
    assert dataclasses.replace(run, settings=renamed).warnings() == [(
        "stats.py:clamp is listed as a design but no mutant sits in a function of this name: "
        "update or remove the entry")]
    assert ("### `stats.py:clip`\n\nany clip at or below 0 passes the rules\n\n"
            "| mutant | change |\n|---|---|\n| `stats.py:22:24:const:0` | `0.0 -> 1.0` |"
            in mutation_report.markdown(run))


TOO_STRICT = "center() keeps float32 (too strict: the docstring allows any floating dtype)"


def test_a_test_that_fails_a_corpus_member_is_reported_too_strict():
    """The fixture's valid_float64 is correct work that one test wrongly rejects: that test
    is named, and the run fails whatever its mutation score."""
    assignment = loading.load(FIXTURE / "assignments" / "stats_basics")
    too_strict = mutation_run._grade_corpus(assignment, STATS.parent, jobs=1, selection=(),
                                            progress=False)
    assert too_strict == {"valid_float64": (TOO_STRICT,)}
    found = mutate.mutants(STATS.read_text(), "stats.py")[:1]
    reference = Scored(9.0, 9.0)
    run = mutation_run.MutationRun(
        "stats_basics", MutationSettings(), (), None, 0, found, [], reach_of(set()), reference,
        [mutation_run.Verdict(found[0], Scored(3.0, 9.0), "killed")], "today", 1.0, too_strict)
    assert run.score == 1.0 and run.at_bar and not run.passed
    markdown = mutation_report.markdown(run)
    assert "**At the bar.** **Too strict: 1 corpus member(s) of correct work" in markdown
    assert ("## Too strict: tests that fail correct work" in markdown
            and f"| valid_float64 | {TOO_STRICT} |" in markdown)
    assert mutation_report.as_json(run)["too_strict"] == {"valid_float64": [TOO_STRICT]}


@pytest.mark.slow
def test_grader_mutate_counts_exactly(tmp_path):
    """The fixture's 16 mutants: one not reached (scale's factor-0 branch, which no test
    takes), 12 killed (two of them by looping into the call timeout), one survivor of
    clip's weak test, two listed as equivalent; 12/13 is below the bar. The prescreen
    (every test but halvings) kills nine; the rest are graded fully."""
    report = tmp_path / "mutation.md"
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "mutate", "stats_basics", "--project", str(FIXTURE),
         "--jobs", "2", "-o", str(report)], capture_output=True, text=True, timeout=600,
        check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads(report.with_suffix(".json").read_text())
    assert result["counts"] == {"generated": 16, "unreached": 1, "graded": 15, "killed": 12,
                                "survived": 1, "equivalent": 2, "design": 0, "faults": 0}
    assert (result["score"], result["passed"], result["warnings"]) == (12 / 13, False, [])
    assert (result["prescreened"], result["device"]) == (9, "cpu")
    assert result["too_strict"] == {"valid_float64": [TOO_STRICT]}
    assert [m["id"] for m in result["unreached"]] == ["stats.py:41:16:drop_call:0"]
    statuses = {m["id"]: m["status"] for m in result["mutants"]}
    assert statuses == {
        "stats.py:15:5:return_operand:0": "killed", "stats.py:15:5:return_operand:1": "killed",
        "stats.py:15:12:arith:0": "killed", "stats.py:15:23:keyword:0": "killed",
        "stats.py:15:30:keyword:0": "equivalent", "stats.py:22:24:const:0": "survived",
        "stats.py:32:9:arith:0": "equivalent", "stats.py:32:9:drop_stmt:0": "killed",
        "stats.py:32:15:const:0": "killed", "stats.py:32:15:const:1": "killed",
        **{f"stats.py:{place}": "killed" for place in (
            "40:8:compare:0", "40:18:const:0", "42:5:return_operand:0",
            "42:5:return_operand:1", "42:12:arith:0")}}
    center, halvings = "center() subtracts the column means", "halvings() counts the halvings"
    scale = "scale() multiplies by the factor"
    assert {m["id"]: m["killed_by"] for m in result["mutants"] if m["status"] == "killed"} == {
        **{f"stats.py:15:{place}": [center] for place in (
            "5:return_operand:0", "5:return_operand:1", "12:arith:0", "23:keyword:0")},
        **{f"stats.py:32:{place}": [halvings] for place in (
            "9:drop_stmt:0", "15:const:0", "15:const:1")},
        **{f"stats.py:{place}": [scale] for place in (
            "40:8:compare:0", "40:18:const:0", "42:5:return_operand:0",
            "42:5:return_operand:1", "42:12:arith:0")}}
    markdown = report.read_text()
    assert markdown == done.stdout.split("wrote ")[0].rstrip("\n") + "\n"
    assert f"| {scale} | 5 | 5 |\n| {center} | 4 | 4 |\n| {halvings} | 3 | 3 |\n" in markdown
    assert "### `stats.py:22:24:const:0` in `clip`" in markdown
    assert "-    return x.clamp(min=0.0)\n+    return x.clamp(min=1.0)\n" in markdown
    assert "| 16 | 1 | 15 | 12 | 1 | 2 | 0 | 0 | 92.3% (12/13) | 95% |" in markdown
    assert ("## Not reached by the tests on cpu (excluded)" in markdown
            and "| `stats.py:41:16:drop_call:0` | `scale` | `torch.zeros_like(x) -> x` |"
            in markdown)


def processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        if text in args:
            found.append(args)
    return found


def test_kill_stops_the_gradings_of_grader_mutate(tmp_path):
    """SIGTERM stops `grader mutate` as Ctrl-C does: no grading is left running, no report."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    run = subprocess.Popen(
        [sys.executable, "-m", "grader.cli", "mutate", "stats_basics", "--project",
         str(FIXTURE), "--jobs", "2", "-o", str(tmp_path / "mutation.md")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(scratch)})
    deadline = time.monotonic() + 120
    while not processes_mentioning(str(scratch)):  # a grading's sandboxed worker runs
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.1)
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert "Stopped: the gradings in progress were stopped; no report was written." in stderr
    assert processes_mentioning(str(scratch)) == []
    assert processes_mentioning(str(FIXTURE)) == []  # warm judges and the gradings they forked
    assert not (tmp_path / "mutation.md").exists()
