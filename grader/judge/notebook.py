"""Modules from a Jupyter notebook: the code cells tagged for each module, nothing else.

A student may submit the course notebook instead of the module files. A code
cell belongs to module `models` (models.py) when its tags include
`module:models`, or when its first line is the comment `# module: models`.
The module is those cells' sources in notebook order; untagged cells are never
run. Lines that are IPython magics or shell escapes (`%matplotlib inline`,
`!pip install ...`) are not Python: they are kept as comments.
"""

from __future__ import annotations

import re

TAG = "module:"
COMMENT = re.compile(r"#\s*module:\s*(\S+?)(?:\.py)?\s*")
MAGIC = re.compile(r"^(\s*)([%!])", re.MULTILINE)


class NotebookError(ValueError):
    """The file is not a notebook the grader can read."""


def how_to_tag(module: str) -> str:
    """Tell the student how to mark cells for `module` (e.g. "models")."""
    return (f"tag each cell that belongs in {module}.py with `module:{module}` (Jupyter: "
            f"View > Cell Toolbar > Tags; JupyterLab: the property inspector), or start it "
            f"with the line `# module: {module}`")


def modules(text: str) -> dict[str, str]:
    """{"models.py": source, ...} from the tagged code cells of a notebook's JSON text."""
    import nbformat

    try:
        notebook = nbformat.reads(text, as_version=4, capture_validation_error={})
        cells = [(index, cell.source, _modules_of(cell))
                 for index, cell in enumerate(notebook.cells, 1) if cell.cell_type == "code"]
    except Exception as exc:  # noqa: BLE001 - a student's file: any malformation is possible
        raise NotebookError(f"{type(exc).__name__}: {str(exc)[:200]}") from None
    found: dict[str, list[str]] = {}
    for index, source, names in cells:
        for name in names:
            found.setdefault(f"{name}.py", []).append(f"# notebook cell {index}\n"
                                                      + MAGIC.sub(r"\1# \2", source))
    return {name: "\n\n".join(parts) + "\n" for name, parts in found.items()}


def _modules_of(cell) -> list[str]:
    """The module names a cell is marked with: tags, then a `# module: name` first line."""
    names = [tag[len(TAG):].strip().removesuffix(".py")
             for tag in cell.metadata.get("tags", []) if str(tag).startswith(TAG)]
    first = cell.source.lstrip().partition("\n")[0].strip()
    marked = COMMENT.fullmatch(first)
    if marked:
        names.append(marked[1])
    return [name for name in dict.fromkeys(names) if name.isidentifier()]
