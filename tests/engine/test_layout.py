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
# The judge and the sandbox it starts share a layer: the judge's session picks the backend.
LAYERS = [{"grader", "textsafe", "wire", "toolkit"}, {"worker"}, {"judge", "sandbox"},
          {"batch"}, {"authoring"}, {"cli"}]


def _layer(module: str) -> int:
    part = module.split(".")[1] if "." in module else module
    return next(i for i, names in enumerate(LAYERS) if part in names)


def test_each_layer_imports_only_its_own_and_lower_ones():
    upward = [f"{a} imports {b}" for a, imported in sorted(_import_graph().items())
              for b in sorted(imported) if _layer(b) > _layer(a)]
    assert not upward, "imports that run up the layers:\n" + "\n".join(upward)
