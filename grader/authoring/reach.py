"""Which lines of the reference's solution files its tests run, on this machine's device.

A mutant whose statement never runs while the tests grade the reference behaves exactly
like it: no test can kill it here (a CUDA-only branch on a CPU grader, say), so
`grader mutate` reports it as not reached instead of grading it, when the tests do call
its function (an untested function is a gap to show, not to set apart). The reference is the
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
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.mutate import Mutant
from grader.judge import config


@dataclass(frozen=True)
class Reach:
    """The lines the tests ran, by solution file (relative path), and what they scored."""

    lines: dict[str, frozenset[int]]
    score: float
    max_score: float
    device: str  # what the tests graded on: "cpu" or "cuda"

    @property
    def full_marks(self) -> bool:
        """Only a reference at full marks ran every path a submission can be graded on."""
        return self.score >= self.max_score - 1e-9

    def ran(self, file: str, lines: tuple[int, int]) -> bool:
        """Whether any of the lines ``first..last`` of ``file`` ran."""
        first, last = lines
        return not self.lines.get(file, frozenset()).isdisjoint(range(first, last + 1))

    def unreached(self, mutant: Mutant) -> bool:
        """The tests call the mutant's function but never run its statement here.

        A function the tests never call is not set apart: its mutants are graded and
        survive, which is the gap they show.
        """
        return (self.full_marks and self.ran(mutant.file, mutant.body)
                and not self.ran(mutant.file, mutant.statement))


def measure(assignment: config.Assignment, reference: Path, files: list[str],
            selection: tuple[str, ...] = ()) -> Reach:
    """Grade ``reference`` with the tests ``selection`` chooses and trace ``files``."""
    with tempfile.TemporaryDirectory(prefix="grader-reach-") as scratch:
        out = Path(scratch) / "reach.json"
        done = subprocess.run(
            [sys.executable, "-m", "grader.authoring.reach", str(assignment.root.resolve()),
             str(reference.resolve()), str(out), *files, "--", *selection],
            cwd=scratch, capture_output=True, text=True, check=False)
        if not out.exists():
            raise config.ConfigError(f"{assignment.name}: grading the reference to see which "
                                     f"lines its tests run failed:\n{done.stdout[-3000:]}"
                                     f"{done.stderr[-3000:]}")
        found = json.loads(out.read_text())
    return Reach({file: frozenset(lines) for file, lines in found.pop("lines").items()},
                 **found)


def _trace(paths: dict[str, str], lines: dict[str, set[int]]) -> None:
    """Record each line run in ``paths`` (absolute path -> name); other frames run untraced."""
    def local(frame, event, arg):
        if event == "line":
            lines[paths[frame.f_code.co_filename]].add(frame.f_lineno)
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename in paths else None

    sys.settrace(calls)
    threading.settrace(calls)


def main(argv: list[str]) -> None:
    import pytest

    from grader.judge.plugin import resolve_device
    from grader.judge.runner import pytest_args

    (folder, reference, out, *files), selection = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    assignment, reference = config.load(Path(folder)), Path(reference).resolve()
    results = Path(out).with_name("results.json")
    lines: dict[str, set[int]] = defaultdict(set)
    _trace({str(reference / file): file for file in files}, lines)
    device = resolve_device("auto")  # as `grader batch` grades
    pytest.main([*pytest_args(assignment, reference, device=device, sandbox=False,
                              extra=tuple(selection)), "--results-json", str(results)])
    sys.settrace(None)
    threading.settrace(None)
    graded = json.loads(results.read_text())
    Path(out).write_text(json.dumps({
        "score": graded["score"], "max_score": sum(t["max_score"] for t in graded["tests"]),
        "device": device, "lines": {file: sorted(n) for file, n in lines.items()}}))


if __name__ == "__main__":
    main(sys.argv[1:])
