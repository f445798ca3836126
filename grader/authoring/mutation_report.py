"""The report of a mutation run: Markdown for instructors, JSON beside it for tools.

Test names, grader faults and code go through `textsafe`'s Markdown functions,
so they show as written; the reasons in assignment.toml are the staff's own
Markdown and are kept as such.
"""

from __future__ import annotations

import json
import shlex
import textwrap
from collections import Counter
from pathlib import Path

from grader import textsafe
from grader.authoring.mutate import Mutant
from grader.authoring.mutation_run import MutationRun, Verdict
from grader.textsafe import markdown_block, markdown_code

STATUSES = ("killed", "survived", "equivalent", "design", "fault")
COLUMNS = ("generated", "not reached (excluded)", "graded", "killed", "survived",
           "equivalent (excluded)", "design (excluded)", "grader faults", "score",
           "bar")  # MutationRun.counts, then score and bar
HOW_TO_EXCLUDE = """Make a test fail on each, or, if it behaves exactly like the reference, \
list it in assignment.toml:

```toml
[[mutation.equivalent]]
id = "<id>"
reason = "<why no test can tell it from the reference>"
```"""
DESIGNS = """These functions are listed in `[[mutation.design]]` as the student's own \
design within the course's rules; the tests grade the rules, so a mutant they accept is \
another valid design. Mutants of these functions the tests kill count as killed."""
TOO_STRICT = """Each of these corpus members (`test_submissions/valid_*`: correct work \
written from the handout) scores below the reference on the tests named: they fail work \
the handout allows. Loosen each test to what the handout requires (`grader selftest` names \
the message of each failure)."""
UNREACHED = """Grading the reference never runs these statements here (a CUDA-only branch \
on a CPU, say), though the tests call their functions: each mutant behaves as the reference \
does. A run on a machine that reaches them grades them."""


def write(run: MutationRun, path: Path) -> list[Path]:
    """``path`` (Markdown) and the same name with ``.json``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(run), encoding="utf-8")
    data = path.with_suffix(".json")
    data.write_text(json.dumps(as_json(run), indent=2) + "\n", encoding="utf-8")
    return [path, data]


def as_json(run: MutationRun) -> dict:
    return {
        "assignment": run.assignment, "date": run.date, "seconds": run.seconds,
        "selection": list(run.selection), "sample": run.sample, "bar": run.settings.bar,
        "prescreen": list(run.settings.prescreen), "prescreened": run.prescreened,
        "score": run.score, "passed": run.passed, "counts": run.counts,
        "too_strict": {member: list(tests) for member, tests in run.too_strict.items()},
        "reference": {"score": run.reference.score, "max_score": run.reference.max_score},
        "device": run.reach.device, "warnings": run.warnings(),
        "mutants": [_mutant_json(run, verdict) for verdict in run.verdicts],
        "unreached": [_unreached_json(mutant) for mutant in run.unreached],
    }


def _mutant_json(run: MutationRun, verdict: Verdict) -> dict:
    mutant, graded = verdict.mutant, verdict.graded
    entry = {**_where_json(mutant), "status": verdict.status, "score": graded.score,
             "max_score": graded.max_score}
    if verdict.status == "killed":
        entry["killed_by"] = list(verdict.killed_by)
    if verdict.status == "fault":
        entry["fault"] = graded.fault
    if verdict.status == "equivalent":
        entry["reason"] = run.settings.equivalent[mutant.id]
    if verdict.status == "design":
        entry["reason"] = run.settings.design_reason(mutant)
    if verdict.status in ("survived", "equivalent", "design"):
        entry["diff"] = mutant.diff()
    return entry


def _unreached_json(mutant: Mutant) -> dict:
    return {**_where_json(mutant), "status": "unreached"}


def _where_json(mutant: Mutant) -> dict:
    return {"id": mutant.id, "file": mutant.file, "line": mutant.line, "col": mutant.col,
            "operator": mutant.operator, "function": mutant.function, "change": mutant.change}


def markdown(run: MutationRun) -> str:
    sections = [_overview(run), _too_strict(run), _operators(run), _killers(run),
                _survivors(run),
                _equivalents(run), _designs(run), _unreached(run), _faults(run),
                _warnings(run)]
    return "\n\n".join(section for section in sections if section) + "\n"


def _overview(run: MutationRun) -> str:
    counts = run.counts
    tests = (f"only those {markdown_code(shlex.join(run.selection))} selects (a quick run: a "
             "full run grades with every test)" if run.selection else "every test")
    if run.settings.prescreen and not run.selection:
        tests += (f" ({run.prescreened} mutants were killed by the prescreen, the tests "
                  f"{markdown_code(shlex.join(run.settings.prescreen))} selects; the others were "
                  "graded with every test)")
    graded = (f"{counts['graded']} of {counts['generated']}, spread over the functions"
              if run.sample else "all of them")
    context = (f"{run.date}, {run.seconds:g} s, on {run.reach.device}. Graded with {tests}; "
               "each mutant only with those whose run of the reference reaches its function "
               f"(the others score it as they score the reference); mutants graded: {graded}. "
               f"The reference scores {run.reference.score:g}/{run.reference.max_score:g}.")
    score = "n/a" if run.score is None else (
        f"{run.score:.1%} ({counts['killed']}/{counts['killed'] + counts['survived']})")
    cells = [*(str(counts[name]) for name in counts), score, f"{run.settings.bar:.0%}"]
    if run.passed:
        verdict = "**At the bar.**"
    elif counts["faults"]:
        verdict = f"**Not proven: {counts['faults']} mutants could not be graded.**"
    else:
        verdict = "**At the bar.**" if run.at_bar else "**Below the bar.**"
    if run.too_strict:
        verdict += (f" **Too strict: {len(run.too_strict)} corpus member(s) of correct work "
                    "lose points (below).**")
    title = f"# Mutation testing: {textsafe.markdown(run.assignment)}"
    return "\n".join([title, "", context, "",
                      "| " + " | ".join(COLUMNS) + " |", "|" + "---:|" * len(COLUMNS),
                      "| " + " | ".join(cells) + " |", "", verdict])


def _too_strict(run: MutationRun) -> str:
    """Tests that fail a corpus member: correct work the handout allows."""
    rows = [f"| {textsafe.markdown(member)} | {textsafe.markdown('; '.join(tests))} |"
            for member, tests in run.too_strict.items()]
    return "\n".join(["## Too strict: tests that fail correct work", "", TOO_STRICT, "",
                      "| corpus member | tests it loses points on |", "|---|---|",
                      *rows]) if rows else ""


def _operators(run: MutationRun) -> str:
    tally = Counter((v.mutant.operator, v.status) for v in run.verdicts)
    operators = sorted({v.mutant.operator for v in run.verdicts})
    rows = [f"| {op} | " + " | ".join(str(tally[op, status]) for status in STATUSES) + " |"
            for op in operators]
    return "\n".join(["## By operator", "", "| operator | " + " | ".join(STATUSES) + " |",
                      "|---|" + "---:|" * len(STATUSES), *rows]) if rows else ""


def _killers(run: MutationRun) -> str:
    """Which tests do the work: a test that alone kills mutants is one to keep sharp."""
    killed = [v.killed_by for v in run.verdicts if v.status == "killed"]
    total = Counter(test for tests in killed for test in tests)
    alone = Counter(tests[0] for tests in killed if len(tests) == 1)
    rows = [f"| {textsafe.markdown(test)} | {count} | {alone[test]} |" for test, count in
            sorted(total.items(), key=lambda item: (-item[1], item[0]))]
    return "\n".join(["## Tests that killed mutants", "",
                      "A mutant killed by the prescreen counts for its tests only.", "",
                      "| test | killed | alone |", "|---|---:|---:|", *rows]) if rows else ""


def _survivors(run: MutationRun) -> str:
    survivors = [v for v in run.verdicts if v.status == "survived"]
    if not survivors:
        return ""
    blocks = [f"### {markdown_code(v.mutant.id)} in {_where(v.mutant)}\n\n"
              f"{markdown_code(v.mutant.change)} scores {v.graded.score:g}/"
              f"{v.graded.max_score:g}\n\n{markdown_block(v.mutant.diff(), 'diff')}"
              for v in survivors]
    return "\n\n".join(["## Survivors: wrong solutions the tests do not catch",
                        HOW_TO_EXCLUDE, *blocks])


def _equivalents(run: MutationRun) -> str:
    rows = [f"| {_cell_code(v.mutant.id)} | {_where(v.mutant)} | "
            f"{_cell_code(v.mutant.change)} | {run.settings.equivalent[v.mutant.id]} |"
            for v in run.verdicts if v.status == "equivalent"]
    return "\n".join(["## Excluded as equivalent", "", "| mutant | in | change | reason |",
                      "|---|---|---|---|", *rows]) if rows else ""


def _designs(run: MutationRun) -> str:
    """Survivors in functions listed as the student's design: other valid designs."""
    by_function: dict[str, list[Verdict]] = {}
    for verdict in run.verdicts:
        if verdict.status == "design":
            by_function.setdefault(verdict.mutant.place, []).append(verdict)
    blocks = [f"### {markdown_code(name)}\n\n{run.settings.design[name]}\n\n| mutant | change |\n"
              "|---|---|\n" + "\n".join(f"| {_cell_code(v.mutant.id)} | "
                                        f"{_cell_code(v.mutant.change)} |" for v in verdicts)
              for name, verdicts in by_function.items()]
    return "\n\n".join(["## Design choices (excluded)", DESIGNS, *blocks]) if blocks else ""


def _unreached(run: MutationRun) -> str:
    """Mutants no test here can kill: the tests never run their statement on this device."""
    rows = [f"| {_cell_code(m.id)} | {_where(m)} | {_cell_code(m.change)} |"
            for m in run.unreached]
    return "\n".join([f"## Not reached by the tests on {run.reach.device} (excluded)", "",
                      UNREACHED, "", "| mutant | in | change |", "|---|---|---|",
                      *rows]) if rows else ""


def _faults(run: MutationRun) -> str:
    rows = [f"- {markdown_code(v.mutant.id)} in {_where(v.mutant)}: "
            f"{textsafe.markdown(textwrap.shorten(v.graded.fault, 300, placeholder=' ...'))}"
            for v in run.verdicts if v.status == "fault"]
    return "\n".join(["## Grader faults (counted neither way)", "", *rows]) if rows else ""


def _warnings(run: MutationRun) -> str:
    notes = [f"- {textsafe.markdown(note)}" for note in run.warnings()]
    return "\n".join(["## Warnings", "", *notes]) if notes else ""


def _where(mutant: Mutant) -> str:
    return markdown_code(mutant.function) if mutant.function else "module level"


def _cell_code(text: str) -> str:
    return markdown_code(text, in_table=True)
