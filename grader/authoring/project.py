"""Where an instructor's sources live, and what an assignment's `[template]` table says."""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from grader.assignment import CONFIG_NAME, PACKAGE_ROOT, Assignment, ConfigError, loading

TEMPLATE_DIR = "student_template"
# Files a run leaves behind: never template content, never packaged.
JUNK_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", ".DS_Store"}


def is_junk(path: Path) -> bool:
    return bool(JUNK_PARTS.intersection(path.parts)) or path.suffix in (".pyc", ".pyo")


@dataclass(frozen=True)
class Project:
    """A course repository: assignments/, solutions/, student_template/, requirements.txt.

    It may hold its own copy of the framework (grader/ and pyproject.toml at its
    root); otherwise it uses the installed one, which must be installed from
    its source tree (`pip install -e`) for the zips to ship it.
    """

    root: Path = PACKAGE_ROOT

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"

    @property
    def template(self) -> Path:
        return self.root / TEMPLATE_DIR

    def names(self) -> list[str]:
        return sorted(p.parent.name for p in self.assignments.glob(f"*/{CONFIG_NAME}"))

    def assignment(self, name: str) -> Assignment:
        path = self.assignments / name
        if not (path / CONFIG_NAME).is_file():
            raise ConfigError(f"no assignment {name!r} under {self.assignments} "
                              f"(known: {', '.join(self.names()) or 'none'})")
        return loading.load(path.resolve())

    @property
    def framework(self) -> Path:
        """The source tree of the grader package the zips ship: the course's own, else ours."""
        own = self.root / "grader" / "__init__.py"
        root = self.root if own.is_file() and (self.root / "pyproject.toml").is_file() \
            else PACKAGE_ROOT
        if not (root / "pyproject.toml").is_file():
            raise ConfigError(f"the grader package in {root} has no pyproject.toml beside it: "
                              "install the framework from its source tree (pip install -e)")
        return root

    def requirements(self, assignment: Assignment) -> list[str]:
        """Pip requirement lines: the course's requirements.txt, then the assignment's own.

        The framework's requirements.txt stands in for a course without one. An
        assignment may add packages, not re-pin the course's.
        """
        path = self.root / "requirements.txt"
        path = path if path.is_file() else PACKAGE_ROOT / "requirements.txt"
        lines = [line.strip() for line in path.read_text().splitlines()
                 if line.strip() and not line.lstrip().startswith(("#", "-"))]
        pinned = {_package(line): line for line in lines}
        for extra in assignment.requirements:
            course = pinned.get(_package(extra))
            if course is not None and course != extra:
                raise ConfigError(f"{assignment.path}: [assignment] requirements: {extra!r} "
                                  f"conflicts with {course!r} in {path}")
        return [*lines, *(r for r in assignment.requirements if r not in lines)]

    def reference(self, assignment: Assignment) -> Path:
        """The reference solution: `[assignment] reference`, else solutions/<name>."""
        path = assignment.reference or self.root / "solutions" / assignment.root.name
        if not path.is_dir():
            raise ConfigError(f"{assignment.name}: no reference solution at {path}")
        return path


def _package(requirement: str) -> str:
    """The canonical package name a requirement line names (the line itself if none)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        return canonicalize_name(Requirement(requirement).name)
    except InvalidRequirement:  # a URL or another pip form: compared as written
        return requirement


@dataclass(frozen=True)
class TemplateSpec:
    """The `[template]` table: which tests and data files students receive."""

    public_tests: tuple[str, ...]
    public_data: tuple[str, ...]

    @classmethod
    def of(cls, assignment: Assignment) -> TemplateSpec:
        table = assignment.settings.template
        if table is None:
            raise ConfigError(f"{assignment.path}: add a [template] table "
                              "with public_tests = [...] (the test files students receive)")
        spec = cls(table.public_tests, table.public_data)
        for name in (*spec.public_tests, *spec.public_data):
            if not (assignment.root / name).is_file():
                raise ConfigError(f"{assignment.name}: [template] lists {name}, which does "
                                  "not exist")
        return spec

    def hidden_tests(self, assignment: Assignment) -> list[Path]:
        public = set(self.public_tests)
        return [p for p in sorted(assignment.root.rglob("test_*.py"))
                if p.relative_to(assignment.root).as_posix() not in public and not is_junk(p)]


def solution_files(assignment: Assignment, reference: Path) -> list[Path]:
    """The reference's modules that students write: the allow-listed `.py` files."""
    wanted = [f for f in assignment.files if f.endswith(".py")]
    files = [reference / f for f in wanted] if wanted else sorted(reference.glob("*.py"))
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise ConfigError(f"{assignment.name}: the reference in {reference} lacks {missing}")
    return files


def test_names(path: Path) -> set[str]:
    """Names of the test functions and classes a test file defines, those bound from a
    kit factory (``test_output_shape = output_shape_test(...)``) included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    defined = {node.name for node in ast.walk(tree)
               if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    bound = {target.id for node in tree.body
             if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
             for target in node.targets if isinstance(target, ast.Name)}
    return {name for name in defined | bound if name.lower().startswith("test")}


@contextmanager
def imported(folder: Path, modules: list[str]) -> Iterator[SimpleNamespace]:
    """Import `modules` from `folder` (which may import each other), then forget them.

    Same-named modules imported before (another assignment's `models`) are set
    aside meanwhile and put back afterwards.
    """
    folder = folder.resolve()
    shadowed = {m: sys.modules.pop(m) for m in modules if m in sys.modules}
    sys.path.insert(0, str(folder))
    try:
        yield SimpleNamespace(**{m: importlib.import_module(m) for m in modules})
    finally:
        sys.path.remove(str(folder))
        for name, module in list(sys.modules.items()):
            if Path(getattr(module, "__file__", None) or "/").resolve().parent == folder:
                del sys.modules[name]
        sys.modules.update(shadowed)
