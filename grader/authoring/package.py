"""`grader build`: the Gradescope autograder zip and the student handout zip.

Both are reproducible: entries sorted, every timestamp 1980-01-01, fixed
permissions, no run artefacts, so the same sources give the same bytes.

`<name>-autograder.zip` (unpacked by Gradescope into /autograder/source):
    setup.sh, run_autograder       at the root, as Gradescope requires
    requirements.txt               pins, with PyTorch's CPU wheel index
    pyproject.toml, grader/        the framework, installed by setup.sh
    assignments/<name>/            config, every test, golden data (not test_submissions/)
    assignments/grading.secret     the course's grading secret (grader.toolkit.secret)
    solutions/<name>/              the reference (timing ratios, calibration)
`<name>-student.zip`:
    <name>/                        the student template (see template.py)
    <name>/grader-package/         the framework, for the fixtures and grader.toolkit.checks
    <name>/.github/workflows/      grade.yml: public tests and `grader ci` on every push
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from grader.assignment import CASES, Assignment, ConfigError
from grader.authoring import data, template
from grader.authoring.leaks import leaks
from grader.authoring.project import Project, is_junk
from grader.toolkit import secret

GRADESCOPE = Path(__file__).with_name("gradescope")
STUDENT_WORKFLOW = Path(__file__).with_name("workflows") / "grade.yml"  # CI on every push
EXECUTABLE = {"setup.sh", "run_autograder"}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
CPU_INDEX = ("--index-url https://download.pytorch.org/whl/cpu\n"
             "--extra-index-url https://pypi.org/simple\n")
EMBEDDED_MNIST = "grader/toolkit/datasets/embedded/mnist-t10k"  # test images and their labels
MNIST_DATASETS = {"mnist", "mnist-embedded"}  # "mnist" falls back to the embedded files


def tree(folder: Path, prefix: str) -> dict[str, bytes]:
    """Every file under ``folder`` but run artefacts, keyed ``prefix/relative/path``."""
    return {f"{prefix}/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not is_junk(p.relative_to(folder))}


def framework(project: Project, prefix: str, *, embedded_mnist: bool = True) -> dict[str, bytes]:
    """The grader package (the course's own copy, else the installed one) and what pip needs.

    ``embedded_mnist=False`` leaves out the embedded MNIST files, labels included.
    """
    source = project.framework
    files = tree(source / "grader", f"{prefix}/grader")
    if not embedded_mnist:
        files = {k: v for k, v in files.items()
                 if not k.startswith(f"{prefix}/{EMBEDDED_MNIST}/")}
    for name in ("pyproject.toml", "README.md"):  # pyproject names the README: pip needs it
        files[f"{prefix}/{name}"] = (source / name).read_bytes()
    return files


def uses_embedded_mnist(assignment: Assignment) -> bool:
    return not MNIST_DATASETS.isdisjoint(data.declared(assignment))


def autograder_files(project: Project, assignment: Assignment) -> dict[str, bytes]:
    name = assignment.root.name
    reference = project.reference(assignment).resolve()
    try:
        reference_at = reference.relative_to(project.root.resolve()).as_posix()
    except ValueError:
        raise ConfigError(f"{name}: the reference {reference} lies outside {project.root}, "
                          "so the zip could not keep its relative path") from None
    files = {script: (GRADESCOPE / script).read_text().replace("@NAME@", name).encode()
             for script in EXECUTABLE}
    pins = "\n".join(project.requirements(assignment)) + "\n"
    files["requirements.txt"] = (CPU_INDEX + pins).encode()
    files.update(framework(project, "."))
    # Everything but the corpus and wrong cases, which only selftest and mutate read.
    files.update({path: data for path, data in tree(assignment.root, f"assignments/{name}").items()
                  if not path.startswith(f"assignments/{name}/{CASES}/")})
    course_secret = secret.path_for(assignment.root)
    if course_secret.is_file():  # secret test sets are drawn from it while grading
        files[f"assignments/{secret.FILE}"] = course_secret.read_bytes()
    files.update(tree(reference, reference_at))
    return {k.removeprefix("./"): v for k, v in files.items()}


def student_files(project: Project, assignment: Assignment) -> dict[str, bytes]:
    name = assignment.root.name
    files = {f"{name}/{k}": v for k, v in template.render(project, assignment).items()}
    files[f"{name}/.github/workflows/grade.yml"] = STUDENT_WORKFLOW.read_bytes()
    grader_package = framework(project, f"{name}/grader-package",
                               embedded_mnist=uses_embedded_mnist(assignment))
    found = leaks(project, assignment, files) + \
        leaks(project, assignment, grader_package, solution_code=False)
    files.update(grader_package)
    if found:
        raise ConfigError(f"{name}: the student zip would leak hidden material:\n  "
                          + "\n  ".join(found))
    return files


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` whose bytes depend on nothing but ``files``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so that the permission bits below count
            mode = 0o755 if Path(name).name in EXECUTABLE and "/" not in name else 0o644
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def check_extensions(assignment: Assignment) -> None:
    """Fail now, not on Gradescope: every dataset is registered (`data.declared` imports
    the assignment's datasets module to register it) and the helpers module loads."""
    data.declared(assignment)
    if assignment.helpers_module is None:
        return
    from grader.worker import helpers

    try:
        helpers.table(assignment.helpers_module)  # what the worker does with it
    except Exception as exc:  # whatever the instructor's module raises
        raise ConfigError(f"{assignment.helpers_module}: the worker could not load it: "
                          f"{type(exc).__name__}: {exc}") from exc


def build(project: Project, name: str, out: Path) -> list[Path]:
    """Write `out/<name>-autograder.zip` and `out/<name>-student.zip`; return their paths."""
    assignment = project.assignment(name)
    check_extensions(assignment)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, files in (("autograder", autograder_files(project, assignment)),
                        ("student", student_files(project, assignment))):
        path = out / f"{name}-{kind}.zip"
        path.write_bytes(zip_bytes(files))
        written.append(path)
    return written
