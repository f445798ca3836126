"""Which lines of the reference's solution files its tests run, on this machine's device,
test by test.

A mutant whose statement never runs while the tests grade the reference behaves exactly
like it: no test can kill it here (a CUDA-only branch on a CPU grader, say), so
`grader mutate` reports it as not reached instead of grading it, when the tests do call
its function (an untested function is a gap to show, not to set apart). Likewise a test
that never runs a mutant's function scores the mutant what it scores the reference, so
`grader mutate` grades each mutant with only the tests that reach its function
(`Reach.tests_for`); a change to what runs at import reaches every test. The reference is the
instructor's code, so it is graded in process, under a line tracer limited to its
solution files, in a child process that keeps the tracer and torch out of the caller.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.assignment import Assignment, ConfigError, loading, read_results
from grader.authoring.mutate import Mutant


@dataclass(frozen=True)
class Reach:
    """The lines the tests ran, by solution file (relative path), and what they scored."""

    lines: dict[str, frozenset[int]]
    score: float
    max_score: float
    device: str  # what the tests graded on: "cpu" or "cuda"
    # test node id -> file -> the lines run while that test ran (its set-up included)
    by_test: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    at_import: dict[str, frozenset[int]] = field(default_factory=dict)  # under module code
    labels: dict[str, str] = field(default_factory=dict)  # node id -> "number name", its row

    @property
    def full_marks(self) -> bool:
        """Only a reference at full marks ran every path a submission can be graded on."""
        return self.score >= self.max_score - 1e-9

    def ran(self, file: str, lines: tuple[int, int]) -> bool:
        """Whether any of the lines ``first..last`` of ``file`` ran."""
        return _touches(self.lines, file, lines)

    def tests_for(self, mutant: Mutant) -> frozenset[str] | None:
        """The tests whose run reaches the mutant's function (and so could score it below
        the reference); None for every test: a statement outside any function, a function
        that ran at import, or a reference below full marks (which ran fewer paths)."""
        outside = mutant.body[0] == 1 or not (
            mutant.body[0] <= mutant.statement[0] <= mutant.body[1])
        if outside or _touches(self.at_import, mutant.file, mutant.body) or not self.full_marks:
            return None
        return frozenset(test for test, lines in self.by_test.items()
                         if _touches(lines, mutant.file, mutant.body))

    def unreached(self, mutant: Mutant) -> bool:
        """The tests call the mutant's function but never run its statement here.

        A function the tests never call is not set apart: its mutants are graded and
        survive, which is the gap they show.
        """
        return (self.full_marks and self.ran(mutant.file, mutant.body)
                and not self.ran(mutant.file, mutant.statement))


def _touches(lines: dict[str, frozenset[int]], file: str, span: tuple[int, int]) -> bool:
    """Whether ``lines`` (by file) hold any of the lines ``first..last`` of ``file``."""
    first, last = span
    return not lines.get(file, frozenset()).isdisjoint(range(first, last + 1))


def measure(assignment: Assignment, reference: Path, files: list[str],
            selection: tuple[str, ...] = ()) -> Reach:
    """Grade ``reference`` with the tests ``selection`` chooses and trace ``files``."""
    with tempfile.TemporaryDirectory(prefix="grader-reach-") as scratch:
        out = Path(scratch) / "reach.json"
        done = subprocess.run(
            [sys.executable, "-m", "grader.authoring.reach", str(assignment.root.resolve()),
             str(reference.resolve()), str(out), *files, "--", *selection],
            cwd=scratch, capture_output=True, text=True, check=False)
        if not out.exists():
            raise ConfigError(f"{assignment.name}: grading the reference to see which "
                              f"lines its tests run failed:\n{done.stdout[-3000:]}"
                              f"{done.stderr[-3000:]}")
        found = json.loads(out.read_text())
    def frozen(table: dict[str, list[int]]) -> dict[str, frozenset[int]]:
        return {file: frozenset(lines) for file, lines in table.items()}

    return Reach(frozen(found.pop("lines")), by_test={
        test: frozen(table) for test, table in found.pop("by_test").items()},
        at_import=frozen(found.pop("at_import")), **found)


class _Lines:
    """The lines run in the solution files: in all, under each test, and while a solution
    module's own code runs (its import: what it computes there reaches every test)."""

    def __init__(self, paths: dict[str, str]):
        self.paths = paths  # absolute path -> name
        self.all: dict[str, set[int]] = defaultdict(set)
        self.by_test: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.at_import: dict[str, set[int]] = defaultdict(set)
        self.test = ""        # the node id of the test running, if any
        self.labels: dict[str, str] = {}
        self.importing = 0    # solution modules' code frames on the stack

    def record(self, file: str, line: int) -> None:
        self.all[file].add(line)
        if self.importing:
            self.at_import[file].add(line)
        elif self.test:
            self.by_test[self.test][file].add(line)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem) -> object:
        from grader.judge.plugin import OUTCOME

        outcome = item.stash.get(OUTCOME, None)
        self.test = item.nodeid
        self.labels[item.nodeid] = (" ".join(filter(None, (outcome.spec.number,
                                                           outcome.spec.name)))
                                    if outcome else item.nodeid)
        yield
        self.test = ""


def _trace(found: _Lines) -> None:
    """Record each line run in the solution files; other frames run untraced."""
    def local(frame, event, arg):
        if event == "line":
            found.record(found.paths[frame.f_code.co_filename], frame.f_lineno)
        elif event == "return" and frame.f_code.co_name == "<module>":
            found.importing -= 1
        return local

    def calls(frame, event, arg):
        if frame.f_code.co_filename not in found.paths:
            return None
        if frame.f_code.co_name == "<module>":
            found.importing += 1
        return local

    sys.settrace(calls)
    threading.settrace(calls)


def main(argv: list[str]) -> None:
    from grader.judge.plugin import resolve_device
    from grader.judge.runner import pytest_args

    (folder, reference, out, *files), selection = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    assignment, reference = loading.load(Path(folder)), Path(reference).resolve()
    results = Path(out).with_name("results.json")
    found = _Lines({str(reference / file): file for file in files})
    _trace(found)
    device = resolve_device("auto")  # as `grader batch` grades
    pytest.main([*pytest_args(assignment, reference, device=device, sandbox=False,
                              extra=tuple(selection)), "--results-json", str(results)],
                plugins=[found])
    sys.settrace(None)
    threading.settrace(None)
    graded = read_results(json.loads(results.read_text()))
    Path(out).write_text(json.dumps({
        "score": graded.score, "max_score": graded.max_score,
        "device": device, "lines": _listed(found.all), "at_import": _listed(found.at_import),
        "by_test": {test: _listed(table) for test, table in found.by_test.items()},
        "labels": found.labels}))


def _listed(table: dict[str, set[int]]) -> dict[str, list[int]]:
    return {file: sorted(lines) for file, lines in table.items()}


if __name__ == "__main__":
    main(sys.argv[1:])
