"""Staging a submission: only the allow-listed files, copied into a scratch folder.

A submission is a folder or a zip, possibly with everything inside one top
folder (as students often zip). Nothing else of it is ever read: not a
submitted conftest.py, pytest.ini, sitecustomize.py or *.pth, nor modules
shadowing torch, numpy or grader. A module file the submission lacks may come
from a Jupyter notebook in it instead: the cells tagged for that module
(grader.judge.notebook); untagged cells are never run.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.judge import notebook
from grader.judge.config import Assignment

NEVER = {"conftest.py", "sitecustomize.py", "usercustomize.py", "pytest.ini", "setup.py"}
SHADOWED = {"torch", "numpy", "grader", "pytest"}  # a module named so would stand in for them
NOTEBOOK_MAX_MB = 50  # outputs (plots) make notebooks large; the cells graded are small


@dataclass
class Staged:
    root: Path
    missing: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    too_large: list[str] = field(default_factory=list)
    from_notebook: dict[str, str] = field(default_factory=dict)  # module file -> notebook
    notebook_problems: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        notes = [f"Graded from your notebook {source}: {', '.join(modules)} (the cells tagged "
                 "for each module; other cells were not run)."
                 for source, modules in _by_value(self.from_notebook).items()]
        notes += self.notebook_problems
        if self.missing:
            notes.append("Missing from your submission: " + ", ".join(self.missing) +
                         ". Tests that need them fail.")
        if self.too_large:
            notes.append("Not graded because they are too large: " + ", ".join(self.too_large))
        if self.ignored:
            shown = ", ".join(self.ignored[:10]) + (" ..." if len(self.ignored) > 10 else "")
            notes.append(f"Ignored (not part of the assignment): {shown}")
        return notes


def _by_value(mapping: dict[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in mapping.items():
        grouped.setdefault(value, []).append(key)
    return grouped


@dataclass
class _Entries:
    """The files of a submission (a zip's or a folder's), by relative POSIX path."""

    names: list[str]
    size: Callable[[str], int]
    read: Callable[[str], bytes]


def _allowed(name: str) -> bool:
    """A module file students may submit when the assignment lists none."""
    path = PurePosixPath(name)
    return (name.endswith(".py") and "/" not in name.strip("/") and path.name not in NEVER
            and path.stem not in SHADOWED and not path.name.startswith("test_"))


def _wanted(assignment: Assignment, names: list[str]) -> list[str]:
    if assignment.files:
        return list(assignment.files)
    return sorted({PurePosixPath(n).name for n in names if _allowed(n)})


def _pick(names: list[str], wanted: str) -> str | None:
    """The shallowest entry named `wanted`; a file at the top or inside one folder."""
    matches = [n for n in names if PurePosixPath(n).name == wanted and n.count("/") <= 1
               and "__MACOSX" not in n]
    return min(matches, key=lambda n: n.count("/"), default=None)


def _notebooks(names: list[str]) -> list[str]:
    """Notebooks at the top or inside one folder, shallowest first (no Jupyter checkpoints)."""
    found = [n for n in names if n.endswith(".ipynb") and n.count("/") <= 1
             and "__MACOSX" not in n and ".ipynb_checkpoints" not in n]
    return sorted(found, key=lambda n: (n.count("/"), n))


def stage(source: str | Path, assignment: Assignment, dest: str | Path) -> Staged:
    """Copy the allowed files of `source` (folder or zip) into `dest`."""
    source, dest = Path(source), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    staged = Staged(dest)
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            sizes = {i.filename: i.file_size for i in archive.infolist() if not i.is_dir()}
            _stage_entries(staged, assignment, _Entries(list(sizes), sizes.__getitem__,
                                                        archive.read))
    elif source.is_dir():
        files = [p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()]
        _stage_entries(staged, assignment, _Entries(
            files, lambda n: (source / n).stat().st_size, lambda n: (source / n).read_bytes()))
    else:
        raise FileNotFoundError(f"submission {source} is neither a folder nor a zip file")
    return staged


def _stage_entries(staged: Staged, assignment: Assignment, entries: _Entries) -> None:
    limit = assignment.max_file_kb * 1024
    used = set()
    for name in _wanted(assignment, entries.names):
        entry = _pick(entries.names, name)
        if entry is None:
            staged.missing.append(name)
            continue
        used.add(entry)
        if entries.size(entry) > limit:
            staged.too_large.append(f"{entry} ({entries.size(entry) // 1024} KB)")
        else:
            (staged.root / name).write_bytes(entries.read(entry))
    used.update(_stage_artifacts(staged, assignment, entries))
    notebooks = _notebooks(entries.names)
    if notebooks and (staged.missing or not assignment.files):
        used.update(_stage_notebooks(staged, assignment, entries, notebooks))
    staged.ignored = sorted(n for n in entries.names if n not in used and "__MACOSX" not in n
                            and "__pycache__" not in n)


def _stage_artifacts(staged: Staged, assignment: Assignment, entries: _Entries) -> set[str]:
    """Copy the optional files graded as data ([artifacts]), each within its own size limit.

    A checkpoint submitted pickled (``resnet20.pt`` for ``resnet20.safetensors``) is
    copied too, never opened: its test refuses it by name and says how to convert it.
    """
    from grader.toolkit.artifacts import PICKLE_SUFFIXES

    used = set()
    for artifact in assignment.settings.artifacts.values():
        wanted = PurePosixPath(artifact.file)
        names = [artifact.file]
        if artifact.kind == "checkpoint":
            names += [f"{wanted.stem}{suffix}" for suffix in PICKLE_SUFFIXES]
        for name in names:
            entry = _pick(entries.names, name)
            if entry is None:
                continue
            used.add(entry)
            size = entries.size(entry)
            if size > artifact.max_kb * 1024:
                staged.too_large.append(f"{entry} ({size // 1024} KB; at most "
                                        f"{artifact.max_kb} KB)")
            else:
                (staged.root / name).write_bytes(entries.read(entry))
            break
    return used


def _stage_notebooks(staged: Staged, assignment: Assignment, entries: _Entries,
                     notebooks: list[str]) -> set[str]:
    """Write the modules the submission lacks from the notebooks' tagged cells.

    A module comes from the first notebook that has cells for it. Returns the
    notebooks, all of which were read.
    """
    limit = assignment.max_file_kb * 1024
    for source in notebooks:
        for name, text in _notebook_modules(staged, entries, source).items():
            if not _lacking(staged, assignment, name):
                continue
            if name in staged.missing:
                staged.missing.remove(name)
            size = len(text.encode())
            if size > limit:
                staged.too_large.append(f"{name} from {source} ({size // 1024} KB)")
            else:
                (staged.root / name).write_text(text, encoding="utf-8")
                staged.from_notebook[name] = source
    staged.notebook_problems += [f"{notebooks[0]} has no cell for {name}: "
                                 f"{notebook.how_to_tag(PurePosixPath(name).stem)}."
                                 for name in staged.missing if name.endswith(".py")]
    return set(notebooks)


def _lacking(staged: Staged, assignment: Assignment, name: str) -> bool:
    """Whether a notebook may provide module file `name`: the submission has none yet."""
    if assignment.files:
        return name in staged.missing
    return _allowed(name) and not (staged.root / name).exists()


def _notebook_modules(staged: Staged, entries: _Entries, source: str) -> dict[str, str]:
    if entries.size(source) > NOTEBOOK_MAX_MB * 1024 * 1024:
        staged.too_large.append(f"{source} ({entries.size(source) // 2**20} MB; notebooks up "
                                f"to {NOTEBOOK_MAX_MB} MB are read)")
        return {}
    try:
        return notebook.modules(entries.read(source).decode("utf-8", errors="replace"))
    except notebook.NotebookError as exc:
        staged.notebook_problems.append(f"{source} could not be read as a Jupyter notebook "
                                        f"({exc}); none of its cells were graded.")
        return {}
