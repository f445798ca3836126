"""assignment.toml: one schema, typos and wrong types refused with file, table and key."""

import re
import tomllib
from pathlib import Path

import pytest

from grader.assignment import ConfigError, loading, parse, parse_table
from grader.authoring import data
from grader.authoring.selftest import Expected
from grader.toolkit.recipe import Recipe

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs" / "authoring.md"


def write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "hw"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assignment.toml").write_text(text)
    return folder


def error(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse(tomllib.loads(text))
    return str(info.value)


@pytest.mark.parametrize("path", sorted(
    [*ROOT.glob("assignments/*/assignment.toml"), *ROOT.glob("student_template/*/assignment.toml"),
     *ROOT.glob("tests/fixtures/**/assignment.toml")]), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_assignment_toml_in_the_repository_passes(path):
    parse(tomllib.loads(path.read_text()))


def toml_blocks(markdown: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", markdown, re.DOTALL)


def test_every_toml_block_of_the_authoring_docs_passes_its_schema(tmp_path):
    blocks = toml_blocks(DOCS.read_text())
    assert len(blocks) >= 8
    for block in blocks:
        if block.startswith("# assignments/<name>/test_submissions/"):
            parse_table(Expected, tomllib.loads(block))
        elif block.startswith("# sources.toml"):  # `grader prepare --sources`
            (tmp_path / "sources.toml").write_text(block)
            assert data.source_table(tmp_path / "sources.toml")
        else:
            parse(tomllib.loads(block))


def test_a_typo_names_the_file_table_key_and_the_key_meant(tmp_path):
    folder = write(tmp_path, "[grading]\ncall_timout_s = 5\n")
    with pytest.raises(ConfigError) as info:
        loading.load(folder)
    assert str(info.value) == (f"{folder}/assignment.toml: [grading] call_timout_s: unknown key "
                               "(did you mean call_timeout_s?)")


@pytest.mark.parametrize("text, message", [
    ('[grading]\ncall_timeout_s = "5"',
     "[grading] call_timeout_s: expected a number, got '5'"),
    ("[gradng]\ntime_budget_s = 1",
     "[gradng]: unknown table (did you mean [grading]?)"),
    ("[grading.wroker]\ntmp_mb = 1",
     "[grading.wroker]: unknown table (did you mean [grading.worker]?)"),
    ("[grading.worker]\nmemory = 1",
     "[grading.worker] memory: unknown key (did you mean memory_mb?)"),
    ("[submission]\nfiles = [1]",
     "[submission] files: expected a list of strings, got [1]"),
    ('[assignment]\nvisibility = "secret"',
     "[assignment] visibility: must be one of visible, hidden, after_due_date, after_published"),
    ("[thresholds.gpu]\nNet = 0.9",
     "[thresholds.gpu]: unknown table (did you mean [thresholds.cpu]?)"),
    ('[thresholds.cpu]\nNet = "high"',
     "[thresholds.cpu] Net: expected a number, got 'high'"),
    ("[training]\nlr = true",
     "[training] lr: expected a number, got True"),
    ('[training]\noptimizer = "adamw"',
     "[training]: optimizer must be one of ('sgd', 'adam'), got 'adamw'"),
    ('[calibration]\nmodels = ["Net"]',
     "[calibration] models: 'Net' is not \"module.Class\""),
    ('[calibration]\nmodels = ["models.Net"]\n[training.Nte]\nsteps = 5',
     "[training.Nte]: unknown table (did you mean [training.Net]?)"),
    ('[calibration]\nmodels = ["models.Net"]\n[calibration.controls]\nNte = ["c.Linear"]',
     "[calibration.controls] Nte: unknown key (did you mean Net?)"),
    ('[assignment]\nrequirements = ["scikit-learn=1.7"]',
     "[assignment] requirements: 'scikit-learn=1.7' is not a pip requirement"),
    ('[submission]\nfiles = ["helpers.py"]\n[extensions]\nhelpers = "helpers.py"',
     "[extensions] helpers: 'helpers.py' is also a file students submit"),
    ('[[mutation.equivalent]]\nid = "m1"',
     "[[mutation.equivalent]] #1 reason: missing"),
    ("[template]\npublic_data = []",
     "[template] public_tests: missing"),
    ("seed = 3",
     "seed: unknown key (known: assignment, submission"),
])
def test_wrong_keys_and_types_are_refused_with_their_place(text, message):
    assert error(text).startswith(message)


def test_accepts_every_table_it_knows():
    settings = parse(tomllib.loads("""
[assignment]
requirements = ["scikit-learn==1.7.2"]
[extensions]
datasets = "datasets.py"
helpers = "helpers.py"
[calibration]
models = ["models.Net", "models.Small"]
controls = ["controls.Linear"]
[calibration.cpu]
seeds = [1, 2]
[calibration.cpu.Net]
accuracy_min = 0.9
control_max = 0.5
[mutation]
bar = 0.95
[[mutation.equivalent]]
id = "models.py:12:arith"
reason = "x * 1"
"""))
    assert settings.assignment.requirements == ("scikit-learn==1.7.2",)
    assert settings.calibration.controls_for("Small") == ("controls.Linear",)
    assert settings.calibration.devices["cpu"].models["Net"].control_max == 0.5
    assert settings.mutation.equivalent[0].reason == "x * 1"


def test_one_recipe_builder_layers_a_models_table_over_the_shared_one(tmp_path):
    folder = write(tmp_path, """
[training]
dataset = "mnist-embedded"
optimizer = "adam"
lr = 0.001
epochs = 2
[training.Net]
steps = 10
lr = 0.01
""")
    assignment = loading.load(folder)
    assert assignment.recipe("Net") == Recipe(optimizer="adam", lr=0.01, epochs=2, steps=10)
    assert assignment.recipe("Other") == Recipe(optimizer="adam", lr=0.001, epochs=2)
    assert assignment.settings.training.dataset == "mnist-embedded"
    assert Recipe.from_dict(assignment.recipe("Net").to_dict()) == assignment.recipe("Net")
    assert assignment.config["training"]["Net"] == {"steps": 10, "lr": 0.01}  # the raw file


def test_extension_modules_must_exist_inside_the_folder(tmp_path):
    folder = write(tmp_path, '[extensions]\nhelpers = "../helpers.py"\n')
    (tmp_path / "helpers.py").write_text("")
    with pytest.raises(ConfigError, match=r"helpers: '../helpers.py' must be a .py file inside"):
        loading.load(folder)
    folder = write(tmp_path / "other", '[extensions]\nhelpers = "helpers.py"\n')
    with pytest.raises(ConfigError, match=r"helpers: 'helpers.py': no such file"):
        loading.load(folder)
    (folder / "helpers.py").write_text("def f():\n    return 1\n")
    loading.load.cache_clear()
    assert loading.load(folder).helpers_module == folder / "helpers.py"


def dataset_module(name: str) -> str:
    return f'DATASETS = {{"{name}": lambda split, data_root, download: None}}\n'


def test_an_unknown_training_dataset_is_refused_at_load_naming_the_known_ones(tmp_path):
    folder = write(tmp_path, '[training]\ndataset = "mnist-embeded"\n')
    with pytest.raises(ConfigError) as info:
        loading.load(folder)
    assert str(info.value) == (
        f"{folder}/assignment.toml: [training] dataset: unknown dataset 'mnist-embeded' "
        "(built in: mnist, mnist-embedded, synthetic-cifar10; an assignment adds its own with "
        "[extensions] datasets)")


def test_a_training_dataset_may_come_from_the_assignments_own_module(tmp_path):
    own = '[extensions]\ndatasets = "datasets.py"\n[training]\ndataset = "{}"\n'
    folder = write(tmp_path / "own", own.format("stripes"))
    (folder / "datasets.py").write_text(dataset_module("stripes"))
    assert loading.load(folder).settings.training.dataset == "stripes"
    typo = write(tmp_path / "typo", own.format("band"))
    (typo / "datasets.py").write_text(dataset_module("bands"))
    with pytest.raises(ConfigError, match=r"unknown dataset 'band' \(built in: mnist, "
                                          r"mnist-embedded, synthetic-cifar10; datasets.py adds "
                                          r"bands\)"):
        loading.load(typo)


def test_a_student_templates_copy_keeps_a_dataset_whose_module_stays_with_the_judge(tmp_path):
    folder = write(tmp_path, '[assignment]\npublic_tests_only = true\n'
                             '[training]\ndataset = "stripes"\n')
    assert loading.load(folder).settings.training.dataset == "stripes"
