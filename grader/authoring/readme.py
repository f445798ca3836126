"""The README students find in their template folder: what to write, run and submit."""

from __future__ import annotations

import ast
import fnmatch
import textwrap
from pathlib import PurePosixPath

from grader.assignment import Assignment
from grader.authoring.project import TemplateSpec

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# The one install command of the handout: PyTorch's CPU build (a fraction of the CUDA
# download), the pinned requirements, and the grader package (its own dependencies are
# among those pins).
INSTALL = f"pip install --extra-index-url {CPU_INDEX} -r requirements.txt ./grader-package"
TEST_FILES = "test_*.py"  # what pytest collects in the handout (its pytest.ini's python_files)


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


def _artifacts(assignment: Assignment) -> str:
    """The optional files graded as data (a predictions file, a checkpoint), if any."""
    artifacts = assignment.settings.artifacts.values()
    if not artifacts:
        return ""
    lines = [textwrap.fill(f"- `{a.file}` (at most {a.max_kb:g} KB): {a.how}", 88,
                           subsequent_indent="  ") for a in artifacts]
    return ("\nThese files are graded too, when you upload them beside the code (without "
            "one, its\ntest fails with a message that says how to make it):\n\n"
            + "\n".join(lines) + "\n")


def listed_tests(spec: TemplateSpec) -> list[str]:
    """The public tests students run; the fixtures and helpers beside them are no reading."""
    return [name for name in spec.public_tests
            if fnmatch.fnmatch(PurePosixPath(name).name, TEST_FILES)]


def render(assignment: Assignment, skeletons: dict[str, str], spec: TemplateSpec) -> str:
    work = [f"- `{name}`: " + (", ".join(f"`{q}`" for q in todos(text)) or "no TODOs")
            for name, text in skeletons.items()]
    tests = "\n".join(f"- `{name}`" for name in listed_tests(spec))
    files = ", ".join(f"`{f}`" for f in assignment.files) or "your `.py` files"
    modules = [f.removesuffix(".py") for f in assignment.files if f.endswith(".py")] or ["name"]
    tags = ", ".join(f"`module:{m}` for `{m}.py`" for m in modules)
    return f"""\
# {assignment.title}

Starter code generated from the course's reference solution. Every
`raise NotImplementedError("TODO: ...")` marks code for you to write; its
message, and the `# TODO:` comment above it, say what.

## What to implement

{chr(10).join(work)}

## Setup

Python 3.11 or newer. In this folder, one command makes a virtual environment
and installs everything the tests need, with the CPU build of PyTorch (a few
hundred MB instead of several GB of CUDA libraries; these exercises need no GPU):

```
python3 -m venv .venv && . .venv/bin/activate && {INSTALL}
```

On Windows: `py -m venv .venv`, then `.venv\\Scripts\\activate`, then the `pip install`
part. Later sessions need only the activation (`. .venv/bin/activate`). To train on
an NVIDIA GPU instead, leave out `--extra-index-url {CPU_INDEX}`. (In the course
repository, `make install` sets everything up.)

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
{_artifacts(assignment)}
### Or submit your notebook

If you wrote your code in a Jupyter notebook, you may upload the notebook
(`.ipynb`) instead of the `.py` files. The grader builds each file from the code
cells marked for it, in notebook order, and never runs any other cell (so your
experiments and plots can stay). Mark a cell in either of two ways:

- tag it with its file: {tags} (Jupyter: View > Cell Toolbar > Tags;
  JupyterLab: the property inspector, the gear icon on the right), or
- make its first line a comment such as `# module: {modules[0]}`.

Each file is built from its own cells only, so put the imports it needs in one
of them. Lines starting with `%` or `!` (notebook magics) are left out. A `.py`
file uploaded beside the notebook is used instead of the notebook's cells for
that file. If the grader finds no cell for a file, its message names the tag to add.
"""
