"""The trust boundary in the layout: code that runs beside student code imports no judge code.

Like pytest-xdist's `remote.py`, the worker package depends only on the wire
format and the toolkit, so nothing of the judge (its expected values, its
score, its files) is even loaded where student code runs.
"""

import ast
from pathlib import Path

import grader

PACKAGE = Path(grader.__file__).parent
WORKER_SIDE = ["worker", "wire.py", "toolkit"]   # loaded in the worker process
ALLOWED = ("grader.worker", "grader.wire", "grader.toolkit")


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
            if node.module == "grader":
                found += [(node.lineno, f"grader.{alias.name}") for alias in node.names]
    return found


def _worker_side_files() -> list[Path]:
    files = []
    for part in WORKER_SIDE:
        path = PACKAGE / part
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def test_worker_side_imports_no_judge_code():
    offending = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
        for path in _worker_side_files()
        for line, name in _imports(path)
        if (name == "grader" or name.startswith("grader.")) and not name.startswith(ALLOWED)
    ]
    assert not offending, "worker-side code must not import judge code:\n" + "\n".join(offending)


def test_the_check_sees_worker_side_files():
    names = {p.name for p in _worker_side_files()}
    assert {"dispatch.py", "helpers.py", "__main__.py", "wire.py", "training.py"} <= names
