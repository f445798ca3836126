"""`grader build`: reproducible zips, and the autograder run in a Gradescope-like layout."""

import json
import subprocess
import zipfile

import pytest
from course import (
    NAME,
    PROJECT,
    grade_in_layout,
    gradescope_root,
    run_pytest,
    run_script,
    sandbox_args,
)

from grader import cli
from grader.assignment import PACKAGE_ROOT, ConfigError, loading
from grader.authoring import data, package
from grader.authoring.leaks import leaks
from grader.authoring.project import Project
from grader.authoring.skeleton import transform_tree


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture course built twice, into two folders."""
    outs = [tmp_path_factory.mktemp(f"dist{i}") for i in range(2)]
    for out, selftest in zip(outs, ([], ["--no-selftest"])):  # the selftest once is enough
        assert cli.main(["build", NAME, "-o", str(out), "--project", str(PROJECT),
                         *selftest]) == 0
    return outs


def test_builds_are_reproducible_byte_for_byte(built):
    for kind in ("autograder", "student"):
        first, second = (out / f"{NAME}-{kind}.zip" for out in built)
        assert first.read_bytes() == second.read_bytes(), kind


def test_autograder_zip_layout(built):
    with zipfile.ZipFile(built[0] / f"{NAME}-autograder.zip") as z:
        infos = {i.filename: i for i in z.infolist()}
        names = list(infos)
        requirements = z.read("requirements.txt").decode()
    assert names == sorted(names)
    assert {"setup.sh", "run_autograder", "requirements.txt", "pyproject.toml",
            "grader/judge/plugin.py", f"assignments/{NAME}/assignment.toml",
            f"assignments/{NAME}/test_hidden.py", f"assignments/{NAME}/test_public.py",
            f"assignments/{NAME}/golden/secret_scale.safetensors",
            "assignments/grading.secret", f"solutions/{NAME}/calc.py"} <= set(names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos.values())
    assert infos["run_autograder"].external_attr >> 16 == 0o100755
    assert infos["grader/judge/plugin.py"].external_attr >> 16 == 0o100644
    assert requirements.startswith("--index-url https://download.pytorch.org/whl/cpu\n")
    assert "torch==" in requirements


def test_student_zip_has_the_handout_and_nothing_hidden(built, project):
    with zipfile.ZipFile(built[0] / f"{NAME}-student.zip") as z:
        files = {n: z.read(n) for n in z.namelist()}
    assert {f"{NAME}/calc.py", f"{NAME}/test_public.py", f"{NAME}/README.md",
            f"{NAME}/requirements.txt", f"{NAME}/golden/softmax.safetensors",
            f"{NAME}/grader-package/pyproject.toml",
            f"{NAME}/grader-package/grader/toolkit/checks.py"} <= set(files)
    assert files[f"{NAME}/calc.py"] == (PROJECT / "student_template" / NAME / "calc.py").read_bytes()
    handout = {n: v for n, v in files.items() if "/grader-package/" not in n}
    assert leaks(project, project.assignment(NAME), handout) == []
    assert leaks(project, project.assignment(NAME), files, solution_code=False) == []
    assert not [n for n in handout if "hidden" in n or "secret" in n or "solutions/" in n]
    assert not [n for n in files if n.endswith("grading.secret")]


def test_unpacked_handout_runs_its_public_tests_against_the_skeleton(built, tmp_path):
    with zipfile.ZipFile(built[0] / f"{NAME}-student.zip") as z:
        z.extractall(tmp_path)
    out = tmp_path / "results.json"
    run = run_pytest(tmp_path / NAME, f"--results-json={out}")
    assert run.returncode == 1, run.stdout[-3000:]
    rows = json.loads(out.read_text())["tests"]
    assert [r["status"] for r in rows] == ["failed", "failed"]
    assert all("TODO" in r["output"] for r in rows)


def assignments_to_build() -> list:
    """The small fixture course's assignment; the repository's, which train, marked slow."""
    repository = Project()
    return [pytest.param(Project(PROJECT), NAME, id=NAME)] + [
        pytest.param(repository, name, id=name, marks=pytest.mark.slow)
        for name in repository.names()]


@pytest.mark.parametrize(("project", "name"), assignments_to_build())
def test_gradescope_layout_reference_full_marks_skeleton_zero(project, name, tmp_path,
                                                              valid_results):
    package.build(project, name, tmp_path / "dist")
    autograder_zip = tmp_path / "dist" / f"{name}-autograder.zip"
    assignment = project.assignment(name)
    reference = grade_in_layout(tmp_path / "reference", autograder_zip,
                                project.reference(assignment), valid_results)
    assert reference["tests"], reference["output"]
    total = sum(t["max_score"] for t in reference["tests"])
    failed = [t for t in reference["tests"] if t["status"] != "passed"]
    assert reference["score"] == total and not failed, failed
    if not sandbox_args():
        assert reference["extra_data"]["backend"] == "sandbox"

    skeleton = tmp_path / "skeleton"
    transform_tree(project.reference(assignment), skeleton)
    zero = grade_in_layout(tmp_path / "zero", autograder_zip, skeleton, valid_results)
    assert zero["score"] == 0
    assert [t["name"] for t in zero["tests"]] == [t["name"] for t in reference["tests"]]
    assert all(t["status"] == "failed" for t in zero["tests"])


def test_setup_sh_parses_and_prepares_datasets_offline(built, tmp_path):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(built[0] / f"{NAME}-autograder.zip") as z:
        z.extractall(root / "source")
    setup = root / "source" / "setup.sh"
    assert subprocess.run(["bash", "-n", str(setup)], check=False).returncode == 0
    run = run_script(root, setup, GRADER_SETUP_STEPS="datasets")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "mnist-embedded/heldout: 2000 images from mnist-embedded" in run.stdout
    assert list((root / "cache").glob("*.safetensors"))  # decoded once, at setup
    bad = run_script(root, setup, GRADER_SETUP_STEPS="no_such_step")
    assert bad.returncode != 0


def test_run_autograder_writes_results_even_when_the_grader_cannot_start(built, tmp_path,
                                                                         valid_results):
    root = gradescope_root(tmp_path, built[0] / f"{NAME}-autograder.zip",
                           PROJECT / "solutions" / NAME)
    run = run_script(root, root / "run_autograder", GRADER_PYTHON="/nonexistent/python")
    assert run.returncode == 0
    document = valid_results(json.loads((root / "results" / "results.json").read_text()))
    assert document["score"] == 0 and "autograder crashed (exit status 127)" in document["output"]


def test_prepared_datasets_are_the_declared_ones_and_the_training_one(course):
    config = course.assignments / NAME / "assignment.toml"
    text = config.read_text()
    config.write_text(text.replace('datasets = ["mnist-embedded"]',
                                   'datasets = ["synthetic-cifar10"]'))
    assert data.declared(course.assignment(NAME)) == ["synthetic-cifar10", "mnist-embedded"]
    config.write_text(text.replace('datasets = ["mnist-embedded"]', 'datasets = ["imagenet"]'))
    loading.load.cache_clear()  # the engine parses each assignment.toml once per process
    with pytest.raises(ConfigError, match=r"\['imagenet'\] are not registered"):
        data.declared(course.assignment(NAME))


def set_config(course: Project, old: str, new: str) -> None:
    config = course.assignments / NAME / "assignment.toml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))
    loading.load.cache_clear()  # the engine parses each assignment.toml once per process


def test_an_assignments_requirements_reach_both_zips(course):
    set_config(course, "seed = 11", 'seed = 11\nrequirements = ["scikit-learn==1.7.2"]')
    assignment = course.assignment(NAME)
    autograder = package.autograder_files(course, assignment)["requirements.txt"].decode()
    assert autograder.startswith(package.CPU_INDEX)
    assert autograder.endswith("torch==2.15.0\nscikit-learn==1.7.2\n")
    handout = package.student_files(course, assignment)[f"{NAME}/requirements.txt"].decode()
    assert handout.splitlines()[1:] == ["numpy==2.4.6", "torch==2.15.0", "scikit-learn==1.7.2"]
    set_config(course, "scikit-learn==1.7.2", "NumPy==1.26.0")
    with pytest.raises(ConfigError, match=r"'NumPy==1.26.0' conflicts with 'numpy==2.4.6'"):
        package.autograder_files(course, course.assignment(NAME))


def test_the_handout_has_the_embedded_mnist_only_where_it_is_used(course):
    labels = f"{NAME}/grader-package/{package.EMBEDDED_MNIST}/t10k-labels-idx1-ubyte.gz"
    assert labels in package.student_files(course, course.assignment(NAME))
    set_config(course, 'datasets = ["mnist-embedded"]', 'datasets = ["synthetic-cifar10"]')
    set_config(course, 'dataset = "mnist-embedded"', 'dataset = "synthetic-cifar10"')
    files = package.student_files(course, course.assignment(NAME))
    assert not [name for name in files if "/embedded/" in name]
    assert f"{NAME}/grader-package/grader/toolkit/datasets/mnist.py" in files


def test_build_fails_early_when_an_extension_cannot_load(course, capsys):
    folder = course.assignments / NAME
    (folder / "helpers.py").write_text("raise RuntimeError('no GPU here')\n")
    set_config(course, "[data]", '[extensions]\nhelpers = "helpers.py"\n\n[data]')
    with pytest.raises(ConfigError, match=r"helpers.py: the worker could not load it: "
                                          r"RuntimeError: no GPU here"):
        package.build(course, NAME, course.root / "dist")
    (folder / "datasets.py").write_text("import scene_files_beside_it\n")
    set_config(course, 'helpers = "helpers.py"', 'datasets = "datasets.py"')
    assert cli.main(["build", NAME, "-o", str(course.root / "dist"), "--no-selftest",
                     "--project", str(course.root)]) == 2
    assert "No module named 'scene_files_beside_it'" in capsys.readouterr().err
    assert not (course.root / "dist").exists()


def test_zips_ship_the_courses_own_framework_copy_when_it_has_one(tmp_path):
    assert package.framework(Project(tmp_path), ".")["./grader/__init__.py"] == \
        (PACKAGE_ROOT / "grader/__init__.py").read_bytes()  # none: the installed one
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader/__init__.py").write_text('"""The course\'s fork."""\n')
    for name in ("pyproject.toml", "README.md"):
        (tmp_path / name).write_text(f"# the course's {name}\n")
    files = package.framework(Project(tmp_path), ".")
    assert files["./grader/__init__.py"] == b'"""The course\'s fork."""\n'
    assert files["./pyproject.toml"] == b"# the course's pyproject.toml\n"
