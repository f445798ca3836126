"""What students must never receive: hidden tests, solution code, hidden golden data, the
course's grading secret.

Used by `grader template` and `grader build` to refuse a handout that leaks,
and by the framework's tests.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path, PurePosixPath

import grader
from grader.assignment import Assignment
from grader.authoring.project import Project, TemplateSpec, solution_files, test_names
from grader.authoring.skeleton import make_skeleton, strip_solution_markers
from grader.toolkit import secret

MIN_CODE_CHARS = 16  # shorter solution lines (`return x`) are too common to tell anything


def solution_lines(project: Project, assignment: Assignment) -> set[str]:
    """Distinctive code lines of the reference that its skeleton leaves out, and that neither
    the public tests nor the grader package (students receive both) show anyway."""
    spec = TemplateSpec.of(assignment)
    public = "\n".join((assignment.root / t).read_text(encoding="utf-8")
                       for t in spec.public_tests)
    lines = set()
    for path in solution_files(assignment, project.reference(assignment)):
        source = path.read_text(encoding="utf-8")
        solution = _code_lines(strip_solution_markers(source, str(path)))
        lines |= solution - _code_lines(make_skeleton(source, str(path)))
    return {line for line in lines if len(line) >= MIN_CODE_CHARS and line not in public
            and line not in _framework_lines()}


@cache
def _framework_lines() -> frozenset[str]:
    """The grader package's code lines (the public tests' kit, e.g. the judge's training loop)."""
    package = Path(grader.__file__).parent
    return frozenset().union(*(_code_lines(p.read_text(encoding="utf-8"))
                               for p in package.rglob("*.py")))


def _code_lines(text: str) -> set[str]:
    return {s for s in (line.strip() for line in text.splitlines()) if s and s[0] != "#"}


def hidden_material(project: Project, assignment: Assignment) -> tuple[set, set, set]:
    """(hidden test file names, hidden test names, hidden golden file names)."""
    spec = TemplateSpec.of(assignment)
    hidden_files = spec.hidden_tests(assignment)
    public_names = set().union(*(test_names(assignment.root / t) for t in spec.public_tests))
    names = set().union(*(test_names(p) for p in hidden_files)) - public_names
    golden = {p.name for p in (assignment.root / "golden").glob("*")} - \
        {PurePosixPath(d).name for d in spec.public_data}
    return {p.name for p in hidden_files}, names, golden


def leaks(project: Project, assignment: Assignment, files: dict[str, bytes], *,
          solution_code: bool = True) -> list[str]:
    """Each piece of hidden material found in ``files`` (path -> bytes), worded for a report.

    ``solution_code=False`` skips the scan for the reference's lines: for the framework's
    own source, written independently, where shared PyTorch idioms are no evidence.
    """
    test_files, names, golden = hidden_material(project, assignment)
    code = solution_lines(project, assignment) if solution_code else set()
    name_pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b") \
        if names else None
    course_secret = secret.read(assignment.root)
    found = []
    for path, data in sorted(files.items()):
        base = PurePosixPath(path).name
        if base in test_files or base in golden or base == secret.FILE:
            found.append(f"{path}: a hidden file")
            continue
        if course_secret and course_secret in data:
            found.append(f"{path}: contains the grading secret")
        text = data.decode("utf-8", errors="ignore") if b"\0" not in data else ""
        hit = name_pattern.search(text) if name_pattern else None
        if hit:
            found.append(f"{path}: names the hidden test {hit.group(1)}")
        stripped = {line.strip() for line in text.splitlines()}
        found += [f"{path}: contains solution code {line!r}" for line in sorted(code & stripped)]
    return found
