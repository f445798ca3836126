"""`grader selftest NAME`: the assignment grades right before anyone ships it.

Every check is a full grading run through the same path as `grader grade`
(sandboxed unless told otherwise):

- the reference solution scores full marks, under each of ``seeds`` grading secrets
  (each run sees other inputs, held-out order and training seeds, as another student
  would: the judge's ``--grader-salt`` varies the secret);
- the skeleton students start from scores 0, with a row for every test the
  reference has;
- each case folder `test_submissions/<case>/` beside assignment.toml (the files
  of a submission, and an `expected.toml`) scores what its expected.toml says:

      score = 1            # the total score
      failed = ["2.1"]     # exactly these tests fail: by number ("6.1" also covers
                           # the cases 6.1.1, 6.1.2, ... of a parametrized test) or by name

- each case named ``valid_*`` (the corpus of correct alternatives, written from the
  handout alone, spanning the freedom it gives) scores full marks, without an
  expected.toml; a test it loses points on is named, with its message: that test
  fails work the handout allows. A graded file (``[artifacts]``) is optional in a
  submission, so a member that carries none is graded with the reference's.

`grader build` runs it before it writes the zips; `grader mutate` grades the corpus too.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import (
    CASES,
    Assignment,
    ConfigError,
    Results,
    Row,
    parse_table,
    read_results,
)
from grader.authoring.package import check_extensions
from grader.authoring.project import Project
from grader.authoring.skeleton import transform_tree
from grader.judge import runner

EXPECTED = "expected.toml"
VALID = "valid_"  # the name of a case that is correct work: full marks, no expected.toml


@dataclass(frozen=True)
class Expected:
    """A case's expected.toml."""

    score: float | None = None
    failed: tuple[str, ...] | None = None


def read_expected(path: Path) -> Expected:
    try:
        expected = parse_table(Expected, tomllib.loads(path.read_text()))
    except (OSError, tomllib.TOMLDecodeError, ConfigError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if expected.score is None and expected.failed is None:
        raise ConfigError(f"{path}: say what the case scores: score = N, failed = [...], or both")
    return expected


def grade(assignment: Assignment, submission: Path, device: str, sandbox: bool,
          secret: int = 0) -> dict:
    with tempfile.TemporaryDirectory(prefix="grader-selftest-") as scratch:
        return runner.grade(assignment, submission, Path(scratch) / "results.json",
                            device=device, sandbox=sandbox, extra_args=salted(secret))


def _why(row: Row) -> str:
    return (row.output.strip().splitlines() or ["no output"])[0][:200]


def _no_rows(graded: Results) -> list[str]:
    return [] if graded.rows else [f"no tests ran: {graded.output[:1000]}"]


def check_reference(document: dict) -> list[str]:
    graded = read_results(document)
    return _no_rows(graded) + [f"{row.label} failed: {_why(row)}"
                               for row in graded.rows if row.status != "passed"]


def check_skeleton(document: dict, reference: dict) -> list[str]:
    graded = read_results(document)
    problems = [f"{row.label} scores {row.score:g}" for row in graded.rows if row.score > 0]
    names = [row.name for row in graded.rows]
    problems += [f"{row.name}: no row (the reference has one)"
                 for row in read_results(reference).rows if row.name not in names]
    return problems


def _matches(entry: str, row: Row) -> bool:
    number = row.number or ""
    return entry in (number, row.name) or number.startswith(f"{entry}.")


def check_case(document: dict, expected: Expected) -> list[str]:
    graded = read_results(document)
    problems = _no_rows(graded)
    if expected.score is not None and abs(graded.score - expected.score) > 1e-6:
        problems.append(f"scores {graded.score:g}, expected {expected.score:g}")
    if expected.failed is not None:
        problems += [f"expected.toml names {entry!r}, which no test has (numbers or names)"
                     for entry in expected.failed
                     if not any(_matches(entry, r) for r in graded.rows)]
        for row in graded.rows:
            should_fail = any(_matches(entry, row) for entry in expected.failed)
            if should_fail and row.status == "passed":
                problems.append(f"{row.label} passed; expected.toml says it fails")
            elif not should_fail and row.status != "passed":
                problems.append(f"{row.label} failed: {_why(row)}")
    return problems


def check_valid(document: dict) -> list[str]:
    """A correct alternative scores full marks: each test it lost points on, and why."""
    graded = read_results(document)
    return _no_rows(graded) + [
        f"{row.label} took {row.max_score - row.score:g} of {row.max_score:g} "
        f"points from correct work: {_why(row)}"
        for row in graded.rows if row.lost_points]


def is_valid(case: Path) -> bool:
    return case.name.startswith(VALID)


def cases(assignment: Assignment) -> list[Path]:
    folder = assignment.root / CASES
    found = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    for case in found:
        has_expected = (case / EXPECTED).is_file()
        if is_valid(case) and has_expected:
            raise ConfigError(f"{case}: a {VALID}* case is correct work and must score full "
                              f"marks; remove its {EXPECTED} (or rename the case)")
        if not is_valid(case) and not has_expected:
            raise ConfigError(f"{case}: add an {EXPECTED} saying what this case scores "
                              f"(or name it {VALID}... if it is correct work)")
    return found


def corpus(assignment: Assignment) -> list[Path]:
    """The ``valid_*`` cases: correct alternatives, each owed full marks."""
    return [case for case in cases(assignment) if is_valid(case)]


def stage_case(assignment: Assignment, case: Path, reference: Path, into: Path) -> Path:
    """``into``: a copy of ``case`` to grade; a corpus member gets the reference's graded
    files (``[artifacts]``) it does not carry, since a submission may leave them out."""
    shutil.copytree(case, into, ignore=shutil.ignore_patterns(EXPECTED, "__pycache__"))
    for artifact in assignment.settings.artifacts.values() if is_valid(case) else ():
        source = reference / artifact.file
        if source.is_file() and not (into / artifact.file).exists():
            shutil.copy2(source, into / artifact.file)
    return into


def salted(k: int) -> tuple[str, ...]:
    """The judge's options that grade a submission under its k-th grading secret (k > 0;
    k = 0 is the secret a student's submission gets)."""
    return ("--grader-salt", f"selftest-{k}") if k else ()


def run(project: Project, name: str, *, device: str = "cpu", sandbox: bool = True,
        seeds: int = 1, report=print) -> list[str]:
    """Grade the reference, the skeleton and every case (the corpus too); return the problems
    found."""
    if seeds > 1 and not sandbox:
        raise ConfigError("--seeds needs the sandbox: grading in the judge's process uses no "
                          "grading secret, so every run would see the same inputs")
    assignment = project.assignment(name)
    check_extensions(assignment)
    problems: list[str] = []

    def record(check: str, document: dict, found: list[str]) -> None:
        verdict = "ok" if not found else f"{len(found)} problem{'s' * (len(found) > 1)}"
        graded = read_results(document)
        report(f"selftest {name}: {check}: {graded.score:g}/{graded.max_score:g}, {verdict}")
        problems.extend(f"{check}: {problem}" for problem in found)

    reference_dir = project.reference(assignment)
    reference = grade(assignment, reference_dir, device, sandbox)
    record("reference", reference, check_reference(reference))
    with tempfile.TemporaryDirectory(prefix="grader-selftest-") as scratch:
        skeleton = Path(scratch) / "skeleton"
        transform_tree(reference_dir, skeleton)
        document = grade(assignment, skeleton, device, sandbox)
        record("skeleton", document, check_skeleton(document, reference))
        for k in range(1, seeds):
            document = grade(assignment, reference_dir, device, sandbox, secret=k)
            record(f"reference, grading secret {k + 1} of {seeds}", document,
                   check_reference(document))
        for case in cases(assignment):
            check = check_valid if is_valid(case) else functools.partial(
                check_case, expected=read_expected(case / EXPECTED))
            submission = stage_case(assignment, case, reference_dir,
                                    Path(scratch) / "cases" / case.name)
            document = grade(assignment, submission, device, sandbox)
            record(f"{CASES}/{case.name}", document, check(document))
    return problems
