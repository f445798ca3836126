"""`grader build`: the Gradescope autograder zip and the student handout zip.

Both are reproducible: entries sorted, every timestamp 1980-01-01, fixed
permissions, no run artefacts, so the same sources give the same bytes.

`<name>-autograder.zip` (unpacked by Gradescope into /autograder/source):
    setup.sh, run_autograder       at the root, as Gradescope requires
    requirements.txt               pins, with PyTorch's CPU wheel index
    pyproject.toml, grader/        the framework, installed by setup.sh
    assignments/<name>/            config, every test, golden data
    solutions/<name>/              the reference (timing ratios, calibration)
`<name>-student.zip`:
    <name>/                        the student template (see template.py)
    <name>/grader-package/         the framework, for the fixtures and grader.checks
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from grader.authoring import template
from grader.authoring.leaks import leaks
from grader.authoring.project import Project, is_junk
from grader.config import PACKAGE_ROOT, Assignment, ConfigError

GRADESCOPE = Path(__file__).with_name("gradescope")
EXECUTABLE = {"setup.sh", "run_autograder"}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
CPU_INDEX = ("--index-url https://download.pytorch.org/whl/cpu\n"
             "--extra-index-url https://pypi.org/simple\n")


def tree(folder: Path, prefix: str) -> dict[str, bytes]:
    """Every file under ``folder`` but run artefacts, keyed ``prefix/relative/path``."""
    return {f"{prefix}/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not is_junk(p.relative_to(folder))}


def framework(prefix: str) -> dict[str, bytes]:
    """The grader package and what pip needs to install it."""
    files = tree(PACKAGE_ROOT / "grader", f"{prefix}/grader")
    for name in ("pyproject.toml", "README.md"):  # pyproject names the README: pip needs it
        files[f"{prefix}/{name}"] = (PACKAGE_ROOT / name).read_bytes()
    return files


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
    pins = (project.root / "requirements.txt").read_text()
    files["requirements.txt"] = (CPU_INDEX + pins).encode()
    files.update(framework("."))
    files.update(tree(assignment.root, f"assignments/{name}"))
    files.update(tree(reference, reference_at))
    return {k.removeprefix("./"): v for k, v in files.items()}


def student_files(project: Project, assignment: Assignment) -> dict[str, bytes]:
    name = assignment.root.name
    files = {f"{name}/{k}": v for k, v in template.render(project, assignment).items()}
    grader_package = framework(f"{name}/grader-package")
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


def build(project: Project, name: str, out: Path) -> list[Path]:
    """Write `out/<name>-autograder.zip` and `out/<name>-student.zip`; return their paths."""
    assignment = project.assignment(name)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, files in (("autograder", autograder_files(project, assignment)),
                        ("student", student_files(project, assignment))):
        path = out / f"{name}-{kind}.zip"
        path.write_bytes(zip_bytes(files))
        written.append(path)
    return written
