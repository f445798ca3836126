"""Staging a submission: only the allow-listed files, copied into a scratch folder.

A submission is a folder or a zip, possibly with everything inside one top
folder (as students often zip). Nothing else of it is ever read: not a
submitted conftest.py, pytest.ini, sitecustomize.py or *.pth, nor modules
shadowing torch, numpy or grader.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.judge.config import Assignment

NEVER = {"conftest.py", "sitecustomize.py", "usercustomize.py", "pytest.ini", "setup.py"}
SHADOWED = {"torch", "numpy", "grader", "pytest"}  # a module named so would stand in for them


@dataclass
class Staged:
    root: Path
    missing: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    too_large: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        notes = []
        if self.missing:
            notes.append("Missing from your submission: " + ", ".join(self.missing) +
                         ". Tests that need them fail.")
        if self.too_large:
            notes.append("Not graded because they are too large: " + ", ".join(self.too_large))
        if self.ignored:
            shown = ", ".join(self.ignored[:10]) + (" ..." if len(self.ignored) > 10 else "")
            notes.append(f"Ignored (not part of the assignment): {shown}")
        return notes


def _wanted(assignment: Assignment, names: list[str]) -> list[str]:
    if assignment.files:
        return list(assignment.files)
    return sorted({PurePosixPath(n).name for n in names if n.endswith(".py") and
                   "/" not in n.strip("/") and PurePosixPath(n).name not in NEVER and
                   PurePosixPath(n).stem not in SHADOWED and
                   not PurePosixPath(n).name.startswith("test_")})


def _pick(names: list[str], wanted: str) -> str | None:
    """The shallowest entry named `wanted`; a file at the top or inside one folder."""
    matches = [n for n in names if PurePosixPath(n).name == wanted and n.count("/") <= 1
               and "__MACOSX" not in n]
    return min(matches, key=lambda n: n.count("/"), default=None)


def stage(source: str | Path, assignment: Assignment, dest: str | Path) -> Staged:
    """Copy the allowed files of `source` (folder or zip) into `dest`."""
    source, dest = Path(source), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    staged = Staged(dest)
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            entries = {i.filename: i for i in archive.infolist() if not i.is_dir()}
            _copy_each(staged, assignment, list(entries),
                       size=lambda n: entries[n].file_size,
                       copy=lambda n, to: _extract(archive, n, to))
    elif source.is_dir():
        files = [p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()]
        _copy_each(staged, assignment, files, size=lambda n: (source / n).stat().st_size,
                   copy=lambda n, to: shutil.copyfile(source / n, to))
    else:
        raise FileNotFoundError(f"submission {source} is neither a folder nor a zip file")
    return staged


def _copy_each(staged: Staged, assignment: Assignment, names: list[str], *, size, copy) -> None:
    wanted = _wanted(assignment, names)
    used = set()
    for name in wanted:
        entry = _pick(names, name)
        if entry is None:
            staged.missing.append(name)
        elif size(entry) > assignment.max_file_kb * 1024:
            staged.too_large.append(f"{entry} ({size(entry) // 1024} KB)")
            used.add(entry)
        else:
            copy(entry, staged.root / name)
            used.add(entry)
    staged.ignored = sorted(n for n in names if n not in used and "__MACOSX" not in n
                            and "__pycache__" not in n)


def _extract(archive: zipfile.ZipFile, name: str, to: Path) -> None:
    with archive.open(name) as src, open(to, "wb") as dst:
        shutil.copyfileobj(src, dst)
