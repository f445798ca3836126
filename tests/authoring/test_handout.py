"""The student handout: one install command in its README, and requirements that agree with it."""

import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from grader.authoring import package, readme
from grader.authoring.project import Project

NAME = "mnist_nets"


@pytest.fixture(scope="module")
def handout() -> dict[str, str]:
    project = Project()
    files = package.student_files(project, project.assignment(NAME))
    return {name: files[name].decode() for name in (
        f"{NAME}/README.md", f"{NAME}/requirements.txt", f"{NAME}/grader-package/pyproject.toml")}


def pins(requirements: str) -> dict[str, Requirement]:
    lines = [line.strip() for line in requirements.splitlines()]
    found = [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]
    return {canonicalize_name(r.name): r for r in found}


def test_readme_installs_with_one_command_and_the_cpu_build_of_torch(handout):
    text = handout[f"{NAME}/README.md"]
    assert readme.INSTALL == ("pip install --extra-index-url https://download.pytorch.org/whl/cpu "
                              "-r requirements.txt ./grader-package")
    assert f"\npython3 -m venv .venv && . .venv/bin/activate && {readme.INSTALL}\n" in text
    assert text.count("pip install") == 2  # the command, and the Windows note pointing at it
    assert "--no-deps" not in text


def test_requirements_pin_every_dependency_of_the_grader_package(handout):
    pinned = pins(handout[f"{NAME}/requirements.txt"])
    assert {"torch", "torchvision", "rich", "nbformat"} <= set(pinned)
    project = tomllib.loads(handout[f"{NAME}/grader-package/pyproject.toml"])["project"]
    for dependency in map(Requirement, project["dependencies"]):
        pin = pinned.get(canonicalize_name(dependency.name))
        assert pin is not None, f"{dependency.name} is not pinned in requirements.txt"
        (exact,) = pin.specifier
        assert exact.operator == "==" and dependency.specifier.contains(exact.version), pin


def test_readme_asks_for_the_python_the_package_requires(handout):
    project = tomllib.loads(handout[f"{NAME}/grader-package/pyproject.toml"])["project"]
    assert project["requires-python"] == ">=3.11"
    assert "Python 3.11 or newer." in handout[f"{NAME}/README.md"]


def test_readme_documents_notebook_submissions(handout):
    text = " ".join(handout[f"{NAME}/README.md"].split())
    assert "`module:models` for `models.py`, `module:data` for `data.py`" in text
    assert "first line a comment such as `# module: models`" in text


def test_readme_lists_the_files_graded_as_data_only_where_there_are_some(handout):
    project = Project()
    cifar = project.assignment("cifar_resnet")
    text = " ".join(package.student_files(project, cifar)["cifar_resnet/README.md"]
                    .decode().split())
    assert ("- `predictions.csv` (at most 64 KB): Predict the 500 images of "
            "test_images.safetensors") in text
    assert "- `resnet20.safetensors` (at most 2048 KB): Train ResNet20" in text
    assert "graded too" not in handout[f"{NAME}/README.md"]


def test_readme_lists_the_test_files_only(handout):
    text = handout[f"{NAME}/README.md"]
    listed = text.split("Public tests:\n\n", 1)[1].split("\n\n", 1)[0]
    assert listed.splitlines() == ["- `test_models.py`", "- `test_data.py`", "- `test_train.py`",
                                   "- `test_metrics.py`"]
