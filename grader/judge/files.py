"""Staging a submission: only the allow-listed files, copied into a scratch folder.

A submission is a folder or a zip, possibly with everything inside one top
folder (as students often zip). Nothing else of it is ever read: not a
submitted conftest.py, pytest.ini, sitecustomize.py or *.pth, nor modules
shadowing torch, numpy or grader. A module file the submission lacks may come
from a Jupyter notebook in it instead: the cells tagged for that module
(grader.judge.notebook); untagged cells are never run.

Only regular files that lie inside the submission are read. The judge stages as
root, so a symbolic link (git checkouts, unpacked uploads and exports carry them)
would hand it whatever the link names: the reference's graded files, hidden tests,
/proc/self/environ. Links of any kind, pipes, sockets and devices are therefore
listed and never followed or opened: a folder is walked with lstat, a file opened
with O_NOFOLLOW and checked to be the regular file listed, inside the submission;
a zip member's Unix file type is read from its attributes. Such an entry counts as
absent (the student is told which and why), so only the tests that need it fail.
Zip member names are normalised (`member_name`): an absolute name or one climbing
with `..` stays in the submission under its base name.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.assignment import Assignment
from grader.judge import notebook

NEVER = {"conftest.py", "sitecustomize.py", "usercustomize.py", "pytest.ini", "setup.py"}
SHADOWED = {"torch", "numpy", "grader", "pytest"}  # a module named so would stand in for them
NOTEBOOK_MAX_MB = 50  # outputs (plots) make notebooks large; the cells graded are small
# What an entry is when it is no regular file; such an entry is never followed or opened.
NOT_A_FILE = {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a named pipe",
              stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
              stat.S_IFDIR: "a folder"}
_DRIVE = re.compile(r"[A-Za-z]:[/\\]")  # a Windows drive: C:\ or C:/


@dataclass
class Staged:
    root: Path
    missing: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "calc.py (a symbolic link)"
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
        if self.refused:
            notes.append("Not read: " + ", ".join(self.refused) + ". The grader reads only "
                         "regular files, never links, pipes or devices: submit the files "
                         "themselves. Tests that need them fail.")
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


class _Refused(Exception):
    """An entry that is no regular file of the submission; the message says what it is."""


@dataclass
class _Entries:
    """A submission's entries (a zip's or a folder's) by relative POSIX path, as listed.

    `listed` holds each entry's file type bits and size; `read` returns the bytes of
    an entry listed as a regular file (raising _Refused if it no longer is one).
    """

    listed: dict[str, tuple[int, int]]
    read: Callable[[str], bytes]

    @property
    def names(self) -> list[str]:
        return list(self.listed)

    def size(self, name: str) -> int:
        return self.listed[name][1]

    def kind(self, name: str) -> str:
        """What the entry is when it is no regular file ("a symbolic link"), else ""."""
        return not_a_file(self.listed[name][0])


def not_a_file(mode: int) -> str:
    """What an entry of mode `mode` is when it is no regular file ("a symbolic link"), else ""."""
    file_type = stat.S_IFMT(mode)
    if file_type in (0, stat.S_IFREG):  # 0: a zip member without Unix attributes
        return ""
    return NOT_A_FILE.get(file_type, "not a regular file")


def member_name(name: str) -> str:
    """A zip member's path as staged: relative and `/`-separated ("" for a bare `..`).

    Windows tools separate folders with backslashes. An absolute name
    (`/home/ann/hw/calc.py`, `C:\\hw\\calc.py`) or one that climbs (`ann/../../calc.py`)
    keeps the folders before its first `..` (none when absolute) and its base name: it
    stays inside the submission it was packed in (in a class's zip, inside its folder).
    """
    parts = _parts(name)
    if not escapes(name):
        return "/".join(parts)
    if not parts or parts[-1] == "..":
        return ""
    head = [] if _absolute(name) else parts[:parts.index("..")]
    return "/".join([*head, parts[-1]])


def escapes(name: str) -> bool:
    """Whether a zip member's name is absolute or climbs with `..`."""
    return _absolute(name) or ".." in _parts(name)


def _parts(name: str) -> list[str]:
    return [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]


def _absolute(name: str) -> bool:
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name))


def _zip_entries(archive: zipfile.ZipFile) -> _Entries:
    """A zip's members by normalised name; a member's Unix file type is in its attributes."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = member_name(info.filename)
        if name and not info.is_dir():
            members.setdefault(name, info)  # of two that normalise alike, the first counts
    listed = {name: (info.external_attr >> 16, info.file_size) for name, info in members.items()}
    return _Entries(listed, lambda name: archive.read(members[name]))


def _folder_entries(folder: Path) -> _Entries:
    """A folder's entries, listed without following links; what lies inside is never resolved."""
    root = folder.resolve()  # the folder staff named may itself be a link: followed once
    listed = {name: (info.st_mode, info.st_size) for name, info in _walk(root, "")}
    return _Entries(listed, lambda name: _read_inside(root, name))


def _walk(root: Path, prefix: str) -> Iterator[tuple[str, os.stat_result]]:
    """Every entry under `root/prefix`, by lstat: a linked folder is listed, never entered."""
    try:
        entries = os.scandir(root / prefix)
    except PermissionError:
        if not prefix:
            raise
        return  # a folder inside the judge may not read: its files count as absent
    with entries:
        for entry in entries:
            name, info = prefix + entry.name, entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                yield from _walk(root, f"{name}/")
            else:
                yield name, info


def _read_inside(root: Path, name: str) -> bytes:
    """The bytes of `root/name` if it is a regular file inside `root`; else _Refused.

    Checked again at reading (lstat before opening, so no device is ever opened;
    O_NOFOLLOW; the opened file's type), so that nothing swapped in since the listing,
    and no file reached through a linked folder, is read.
    """
    path = root / name
    try:
        kind = not_a_file(os.lstat(path).st_mode)
        if kind:
            raise _Refused(kind)
        if not path.resolve().is_relative_to(root):
            raise _Refused("outside the submission")
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with open(fd, "rb") as file:
            kind = not_a_file(os.fstat(fd).st_mode)
            if kind:
                raise _Refused(kind)
            return file.read()
    except OSError as exc:
        raise _Refused(f"could not be read: {exc.strerror}") from None


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
            _stage_entries(staged, assignment, _zip_entries(archive))
    elif source.is_dir():
        _stage_entries(staged, assignment, _folder_entries(source))
    else:
        raise FileNotFoundError(f"submission {source} is neither a folder nor a zip file")
    return staged


def archived(folder: Path) -> bytes:
    """A submission folder as zip bytes that stage as the folder does (graded elsewhere: a
    Ray node). Regular files travel with their bytes; a link, pipe or device travels as an
    empty member of its type, never followed or opened, so it is refused there by name."""
    entries = _folder_entries(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (mode, _size) in entries.listed.items():
            if "__pycache__" in name.split("/"):
                continue
            member = zipfile.ZipInfo(name)
            member.create_system, member.external_attr = 3, mode << 16  # 3: Unix st_mode
            try:
                archive.writestr(member, b"" if not_a_file(mode) else entries.read(name),
                                 zipfile.ZIP_DEFLATED)
            except _Refused:  # unreadable here: missing there, as it would be here
                continue
    return buffer.getvalue()


def _read(staged: Staged, entries: _Entries, entry: str, max_bytes: int,
          limit: str = "") -> bytes | None:
    """The entry's bytes; None, noted for the student, for an entry that is no regular file
    of the submission or is over `max_bytes` (`limit` says so in the note: "; at most 64 KB")."""
    kind = entries.kind(entry)
    if not kind:
        size = entries.size(entry)
        if size > max_bytes:
            staged.too_large.append(f"{entry} ({_size(size)}{limit})")
            return None
        try:
            return entries.read(entry)
        except _Refused as exc:
            kind = str(exc)
    staged.refused.append(f"{entry} ({kind})")
    return None


def _size(size: int) -> str:
    return f"{size // 2**20} MB" if size >= 2**20 else f"{size // 1024} KB"


def _stage_entries(staged: Staged, assignment: Assignment, entries: _Entries) -> None:
    used = set()
    for name in _wanted(assignment, entries.names):
        entry = _pick(entries.names, name)
        if entry is None:
            staged.missing.append(name)
            continue
        used.add(entry)
        data = _read(staged, entries, entry, assignment.max_file_kb * 1024)
        if data is not None:
            (staged.root / name).write_bytes(data)
    used.update(_stage_artifacts(staged, assignment, entries))
    notebooks = _notebooks(entries.names)
    if notebooks and (staged.missing or not assignment.files):
        used.update(_stage_notebooks(staged, assignment, entries, notebooks))
    staged.ignored = sorted(_described(entries, n) for n in entries.names
                            if n not in used and "__MACOSX" not in n and "__pycache__" not in n)


def _described(entries: _Entries, name: str) -> str:
    kind = entries.kind(name)
    return f"{name} ({kind})" if kind else name


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
            data = _read(staged, entries, entry, artifact.max_kb * 1024,
                         f"; at most {artifact.max_kb} KB")
            if data is not None:
                (staged.root / name).write_bytes(data)
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
    data = _read(staged, entries, source, NOTEBOOK_MAX_MB * 2**20,
                 f"; notebooks up to {NOTEBOOK_MAX_MB} MB are read")
    if data is None:
        return {}
    try:
        return notebook.modules(data.decode("utf-8", errors="replace"))
    except notebook.NotebookError as exc:
        staged.notebook_problems.append(f"{source} could not be read as a Jupyter notebook "
                                        f"({exc}); none of its cells were graded.")
        return {}
