"""Reading an assignment has no side effect: no torch, no datasets registered, no module run.

The names `[training] dataset` may use are read from source (`grader.assignment.names`);
whatever grades, calibrates or prepares registers the datasets itself
(`grader.judge.registration`).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.assignment import ConfigError, loading, names
from grader.judge.registration import register_datasets
from grader.toolkit import datasets
from grader.toolkit.datasets import sources

ROOT = Path(__file__).parents[2]
ASSIGNMENTS = sorted(p.parent for p in (ROOT / "assignments").glob("*/assignment.toml"))
WITH_DATASETS = [a for a in ASSIGNMENTS if loading.load(a).datasets_module]
LOADER = "lambda split, data_root, download: None"


def own(tmp_path: Path, module: str, dataset: str = "stripes") -> Path:
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / "assignment.toml").write_text(
        f'[extensions]\ndatasets = "datasets.py"\n[training]\ndataset = "{dataset}"\n')
    (folder / "datasets.py").write_text(module)
    return folder


def test_reading_every_assignment_loads_no_torch_numpy_pytest_nor_the_dataset_registry():
    heavy = ("torch", "numpy", "pytest", "grader.toolkit.datasets", "grader.judge")
    code = ("import sys\nfrom grader.assignment import loading\n"
            f"for root in {[str(a) for a in ASSIGNMENTS]!r}:\n    loading.load(root)\n"
            f"print(sorted(m for m in sys.modules if m.startswith({heavy!r})))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


def test_loading_registers_nothing_and_registering_is_explicit(tmp_path):
    folder = own(tmp_path, f'DATASETS = {{"stripes": {LOADER}}}\n')
    assignment = loading.load(folder)
    assert "stripes" not in datasets.REGISTRY
    register_datasets(assignment)
    assert datasets.REGISTERED_FROM["stripes"] == folder / "datasets.py"


def test_a_module_that_cannot_be_registered_names_the_key_and_why(tmp_path):
    folder = own(tmp_path, f'import missing_beside_it\nDATASETS = {{"stripes": {LOADER}}}\n')
    with pytest.raises(ConfigError, match=r"assignment.toml: \[extensions\] datasets: .*"
                                          r"No module named 'missing_beside_it'"):
        register_datasets(loading.load(folder))


def test_the_names_read_from_source_are_those_the_registry_holds():
    assert names.built_in_datasets() == datasets.BUILT_IN
    assert names.real_sources() == set(sources.BUILT_IN)
    assert WITH_DATASETS, "no assignment of the repository has its own datasets module"
    for root in WITH_DATASETS:
        module = loading.load(root).datasets_module
        assert names.literal_keys(module, "DATASETS") == tuple(datasets.register_module(module))


@pytest.mark.parametrize(("module", "problem"), [
    (f"DATASETS = dict(stripes={LOADER})\n",
     "datasets.py: write DATASETS as a dict literal"),
    (f"NAMES = ['stripes']\nDATASETS = {{name: {LOADER} for name in NAMES}}\n",
     "datasets.py: write DATASETS as a dict literal"),
    ("DATASETS = {\n", "datasets.py is not valid Python (line 1: "),
])
def test_a_datasets_module_whose_names_cannot_be_read_says_how_to_write_them(
        tmp_path, module, problem):
    folder = own(tmp_path, module)
    with pytest.raises(ConfigError, match=re.escape(f"[extensions] datasets: {problem}")):
        loading.load(folder)


def test_a_built_in_training_dataset_needs_no_names_from_the_module(tmp_path):
    folder = own(tmp_path, "DATASETS = make_them()\n", dataset="mnist-embedded")
    assert loading.load(folder).settings.training.dataset == "mnist-embedded"
