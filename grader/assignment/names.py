"""Dataset names, read from the modules that define them without importing those modules.

Loading an assignment checks `[training] dataset` and picks thresholds by whether data
is real, and must do both without importing torch or running the assignment's own
datasets module: the dataset registry (`grader.toolkit.datasets`) imports torch, and
registering a module runs it. So the names are read from the source: the keys of a
dict written out as a literal (`DATASETS = {"name": loader}`), which is how the
registry, the sources table and the assignments' modules declare them.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

TOOLKIT_DATASETS = Path(__file__).resolve().parents[1] / "toolkit" / "datasets"
REGISTRY_FILE = TOOLKIT_DATASETS / "__init__.py"   # REGISTRY: the built-in datasets
SOURCES_FILE = TOOLKIT_DATASETS / "sources.py"     # BUILT_IN: the sources prepare fetches


def literal_keys(path: Path, variable: str) -> tuple[str, ...] | None:
    """The keys of `variable = {...}` at the top of the module file `path`, in order;
    None when it is not a dict literal with string keys (its keys are known only by
    running the module)."""
    for node in ast.parse(Path(path).read_text(), filename=str(path)).body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) and node.value else [])
        if any(isinstance(t, ast.Name) and t.id == variable for t in targets):
            value = node.value
            if isinstance(value, ast.Dict) and all(
                    isinstance(k, ast.Constant) and isinstance(k.value, str)
                    for k in value.keys):
                return tuple(k.value for k in value.keys)
            return None
    return None


@cache
def built_in_datasets() -> frozenset[str]:
    """The datasets the registry holds before any assignment adds its own."""
    return frozenset(literal_keys(REGISTRY_FILE, "REGISTRY") or ())


@cache
def real_sources() -> frozenset[str]:
    """The names of the sources `grader prepare` fetches: data by these names is real."""
    return frozenset(literal_keys(SOURCES_FILE, "BUILT_IN") or ())

