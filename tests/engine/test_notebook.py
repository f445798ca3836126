"""Notebook submissions: tagged cells become the modules, untagged cells never run."""

import ast
import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from grader.assignment import loading
from grader.judge import runner
from grader.judge.files import stage
from grader.judge.notebook import modules

ROOT = Path(__file__).parents[2]
NEVER_RUN = "raise SystemExit('an untagged cell ran')\n"


def write_notebook(path: Path, cells: list) -> Path:
    """A real .ipynb: each cell is markdown text, or (source, tags) for a code cell."""
    notebook = v4.new_notebook()
    notebook.cells = [v4.new_markdown_cell(cell) if isinstance(cell, str) else
                      v4.new_code_cell(cell[0], metadata={"tags": list(cell[1])})
                      for cell in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def example():
    return loading.load(ROOT / "tests/fixtures/example")


def test_tagged_and_commented_cells_make_the_module_and_nothing_else():
    calc = (ROOT / "tests/fixtures/submissions/good/calc.py").read_text()
    head, tail = calc.split("def softmax")
    found = modules(nbformat.writes(v4.new_notebook(cells=[
        v4.new_markdown_cell("# module: calc (markdown never counts)"),
        v4.new_code_cell("%matplotlib inline\n" + head, metadata={"tags": ["module:calc"]}),
        v4.new_code_cell(NEVER_RUN),
        v4.new_code_cell("# module: calc.py\n  !ls\ndef softmax" + tail),
        v4.new_code_cell("x = 1", metadata={"tags": ["module:../../etc/passwd", "exercise"]}),
    ])))
    assert list(found) == ["calc.py"]
    source = found["calc.py"]
    assert "# %matplotlib inline" in source and "  # !ls" in source
    assert "an untagged cell ran" not in source and "x = 1" not in source
    defined = {getattr(node, "name", None) for node in ast.parse(source).body}  # valid Python
    assert {"add", "square", "softmax", "make_model"} <= defined


def test_a_notebook_grades_like_the_modules(tmp_path, valid_results):
    calc = (ROOT / "tests/fixtures/submissions/good/calc.py").read_text()
    archive = tmp_path / "submission.zip"
    notebook = write_notebook(tmp_path / "hw.ipynb", [
        "Homework", (NEVER_RUN, []), (calc, ["module:calc"])])
    with zipfile.ZipFile(archive, "w") as z:
        z.write(notebook, "hw/hw.ipynb")
        z.writestr("hw/.ipynb_checkpoints/hw-checkpoint.ipynb", "{}")
    document = valid_results(runner.grade(example(), archive, tmp_path / "results.json",
                                          device="cpu", sandbox=False))
    assert document["score"] == 21  # as the good submission's modules score
    assert ("Graded from your notebook hw/hw.ipynb: calc.py (the cells tagged for each module; "
            "other cells were not run).") in document["output"]


def test_a_module_file_beside_the_notebook_wins(tmp_path):
    source = tmp_path / "upload"
    write_notebook(source / "hw.ipynb", [("VERSION = 'notebook'", ["module:calc"])])
    (source / "calc.py").write_text("VERSION = 'file'\n")
    staged = stage(source, example(), tmp_path / "out")
    assert (staged.root / "calc.py").read_text() == "VERSION = 'file'\n"
    assert staged.ignored == ["hw.ipynb"] and staged.from_notebook == {}


def test_a_missing_tag_is_named_with_how_to_add_it(tmp_path):
    source = tmp_path / "upload"
    write_notebook(source / "hw.ipynb", [("def add(a, b):\n    return a + b", [])])
    notes = stage(source, example(), tmp_path / "out").notes()
    assert notes == [
        ("hw.ipynb has no cell for calc.py: tag each cell that belongs in calc.py with "
         "`module:calc` (Jupyter: View > Cell Toolbar > Tags; JupyterLab: the property "
         "inspector), or start it with the line `# module: calc`."),
        "Missing from your submission: calc.py. Tests that need them fail."]


def test_an_unreadable_notebook_is_reported_not_fatal(tmp_path):
    source = tmp_path / "upload"
    source.mkdir()
    (source / "hw.ipynb").write_text('{"cells": 3}')
    staged = stage(source, example(), tmp_path / "out")
    assert staged.missing == ["calc.py"]
    assert staged.notes()[0].startswith("hw.ipynb could not be read as a Jupyter notebook (")


@pytest.mark.slow
def test_mnist_nets_from_a_notebook_of_the_reference_modules(tmp_path, valid_results):
    """The course notebook: markdown, exploration cells, and each module's tagged cells."""
    solution = ROOT / "solutions/mnist_nets"
    cells = ["# MNIST nets", ("import matplotlib.pyplot as plt\n" + NEVER_RUN, [])]
    for module in ("models", "data", "train", "metrics"):
        first, _, rest = (solution / f"{module}.py").read_text().partition("\n\n\n")
        cells += [f"## {module}.py", (first, [f"module:{module}"]),
                  (f"# module: {module}\n" + rest, []), (f"{module}_scratch = 1", [])]
    write_notebook(tmp_path / "submission" / "mnist_nets.ipynb", cells)
    assignment = loading.load(ROOT / "assignments/mnist_nets")
    out = tmp_path / "results.json"
    document = valid_results(runner.grade(assignment, tmp_path / "submission", out, device="cpu",
                                          sandbox=False, extra_args=("-m", "not training")))
    failed = {t["name"]: t["output"] for t in document["tests"] if t["status"] != "passed"}
    assert document["tests"] and failed == {}
    assert document["score"] == sum(t["max_score"] for t in document["tests"])
    assert "Graded from your notebook mnist_nets.ipynb: models.py, data.py, train.py, " \
           "metrics.py" in json.loads(out.read_text())["output"]
