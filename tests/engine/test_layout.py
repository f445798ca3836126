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


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the grader modules it imports, those inside functions included (a
    `from grader.a import b` names the module grader.a.b where there is one)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        graph[name] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" for alias in node.names
                         if f"{node.module}.{alias.name}" in modules] or [node.module]
            graph[name] |= {n for n in names if n in modules and n != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, found = {}, {}, [], []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_even_through_imports_inside_functions():
    cycles = _cycles(_import_graph())
    assert not cycles, "modules that import each other, in a circle:\n" + "\n".join(
        " <-> ".join(group) for group in cycles)


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# The package's layers, lowest first: a module imports only its own layer and those below.
# Reading an assignment is the judge side's (the worker imports none of it: see above).
# The judge and the sandbox it starts share a layer: the judge's session picks the backend.
# The kit, what assignments' tests are written with, stands on the judge's fixtures.
LAYERS = [
    {"grader", "textsafe", "wire", "toolkit", "host"},
    {"assignment"},
    {"worker"},
    {"judge", "sandbox"},
    {"kit"},
    {"batch"},
    {"authoring"},
    {"cli"},
]


def _layer(module: str) -> int:
    part = module.split(".")[1] if "." in module else module
    found = [i for i, names in enumerate(LAYERS) if part in names]
    assert found, f"grader.{part} is in no layer: add it to LAYERS in {Path(__file__).name}"
    return found[0]


def test_each_layer_imports_only_its_own_and_lower_ones():
    upward = [f"{a} imports {b}" for a, imported in sorted(_import_graph().items())
              for b in sorted(imported) if _layer(b) > _layer(a)]
    assert not upward, "imports that run up the layers:\n" + "\n".join(upward)


# Reading an assignment stays cheap and side-effect free for every tool: of the grader, only
# these; nothing heavy, not even inside a function.
ASSIGNMENT_MAY_IMPORT = ("grader.assignment", "grader.textsafe", "grader.toolkit.recipe")
HEAVY = {"torch", "numpy", "pytest"}


def _assignment_imports_offending(package: Path = PACKAGE) -> list[str]:
    return [f"{path.relative_to(package.parent)}:{line} imports {name}"
            for path in sorted((package / "assignment").rglob("*.py"))
            for line, name in _imports(path)  # those inside functions too
            if name.split(".")[0] in HEAVY
            or name.startswith("grader.") and not name.startswith(ASSIGNMENT_MAY_IMPORT)]


def test_reading_an_assignment_imports_no_torch_numpy_pytest_or_other_grader_code():
    offending = _assignment_imports_offending()
    assert not offending, ("grader/assignment must stay free of torch, numpy and pytest, and "
                           "import only " + ", ".join(ASSIGNMENT_MAY_IMPORT) + ":\n"
                           + "\n".join(offending))


def test_the_assignment_check_sees_imports_inside_functions(tmp_path):
    package = tmp_path / "grader"
    (package / "assignment").mkdir(parents=True)
    (package / "assignment" / "late.py").write_text(
        "def f():\n    import torch.nn\n    from grader.judge import errors\n")
    assert _assignment_imports_offending(package) == [
        "grader/assignment/late.py:2 imports torch.nn",
        "grader/assignment/late.py:3 imports grader.judge"]


# Assignments' tests and conftests are written with the kit, the toolkit and the assignment's
# reading; the judge's internals stay free to change under them.
ASSIGNMENTS_MAY_IMPORT = ("grader.kit", "grader.toolkit", "grader.assignment")


def _assignment_code_offending(root: Path) -> list[str]:
    return [f"{path.relative_to(root)}:{line} imports {name}"
            for path in sorted(root.glob("*/*.py"))  # not the submissions under test_submissions
            for line, name in _imports(path)
            if (name == "grader" or name.startswith("grader."))
            and not name.startswith(ASSIGNMENTS_MAY_IMPORT)]


def test_assignments_import_the_kit_toolkit_and_assignment_only():
    offending = _assignment_code_offending(PACKAGE.parent / "assignments")
    assert not offending, ("assignments may import only " + ", ".join(ASSIGNMENTS_MAY_IMPORT)
                           + ":\n" + "\n".join(offending))


def test_the_assignments_check_sees_a_judge_import(tmp_path):
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "conftest.py").write_text(
        "from grader.kit import SubmissionError\nfrom grader.judge.plugin import SESSION\n")
    assert _assignment_code_offending(tmp_path) == [
        "course/conftest.py:2 imports grader.judge.plugin"]
