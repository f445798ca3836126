"""The README students find in their template folder: what to write, run and submit."""

from __future__ import annotations

import ast

from grader.authoring.project import TemplateSpec
from grader.judge.config import Assignment

CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def todos(skeleton: str) -> list[str]:
    """Qualified names of the functions whose body raises NotImplementedError."""
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef) and _raises_todo(child):
                    found.append(name)
                visit(child, name + ".")

    visit(ast.parse(skeleton), "")
    return found


def _raises_todo(func: ast.AST) -> bool:
    return any(isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
               and getattr(node.exc.func, "id", None) == "NotImplementedError"
               for node in ast.walk(func))


def render(assignment: Assignment, skeletons: dict[str, str], spec: TemplateSpec) -> str:
    work = [f"- `{name}`: " + (", ".join(f"`{q}`" for q in todos(text)) or "no TODOs")
            for name, text in skeletons.items()]
    tests = "\n".join(f"- `{name}`" for name in spec.public_tests)
    files = ", ".join(f"`{f}`" for f in assignment.files) or "your `.py` files"
    return f"""\
# {assignment.title}

Starter code generated from the course's reference solution. Every
`raise NotImplementedError("TODO: ...")` marks code for you to write; its
message, and the `# TODO:` comment above it, say what.

## What to implement

{chr(10).join(work)}

## Setup

Python 3.11 or newer. In a fresh virtual environment:

```
pip install --extra-index-url {CPU_INDEX} -r requirements.txt
pip install --no-deps ./grader-package     # from the handout zip
```

(In the course repository `make install` does both. Drop the extra index to
get CUDA builds of torch.)

## Run the public tests

```
pytest                          # in this folder
pytest student_template/        # or from the course repository's root
```

Public tests:

{tests}

Each prints a summary: which tests pass and your points on the public tests.
The autograder also runs hidden tests, so passing every public test is not a
guarantee of full marks.

## Submit

Upload {files} (each at most {assignment.max_file_kb} KB) to Gradescope,
as separate files or one zip. Other files are ignored; do not rename these.
"""
