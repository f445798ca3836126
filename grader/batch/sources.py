"""Where a class's submissions come from: a folder of folders or zips, or Gradescope's export.

- A folder whose entries are one submission each: a folder or a zip per student
  (the submission's id is the entry's name).
- Gradescope's "Export Submissions" zip (or that zip unpacked): one folder per
  submission (`submission_<number>`) beside `submission_metadata.yml`, which names
  the students. Its keys are Ruby symbols (`:submitters:`, `:name:`, `:email:`,
  `:sid:`), and some values carry Ruby tags; both are read as plain data.
- A zip of either of those is unpacked first: regular files only, under names
  normalised as staging normalises them (`grader.judge.files.member_name`), so an
  absolute or climbing member stays in its own submission's folder under its base
  name. Links and other special members are never made (a link in `scratch` would
  name files outside it); they and members outside every submission folder are
  listed as skipped.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.assignment import ConfigError
from grader.judge.files import escapes, member_name, not_a_file

METADATA = "submission_metadata.yml"
IGNORED_NAMES = {"__MACOSX", ".DS_Store", METADATA}


@dataclass(frozen=True)
class Student:
    name: str = ""
    email: str = ""
    sid: str = ""


@dataclass(frozen=True)
class Submission:
    """One student's (or group's) work: a folder or a zip, graded as one."""

    id: str                          # unique within a batch; names its folder in the output
    path: Path
    students: tuple[Student, ...] = ()


@dataclass
class Found:
    submissions: list[Submission]
    ignored: list[str] = field(default_factory=list)  # entries that are no submission


def find(source: Path, scratch: Path) -> Found:
    """The submissions in `source`, sorted by id; zips are unpacked into `scratch`."""
    skipped: list[str] = []
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise ConfigError(f"{source} is neither a folder nor a zip of submissions")
        with zipfile.ZipFile(source) as archive:
            skipped = _unpack(archive, scratch)
        source = _single_folder(scratch)
    elif not source.is_dir():
        raise ConfigError(f"no submissions at {source}: it does not exist")
    metadata = _find_metadata(source)
    found = _from_export(metadata) if metadata is not None else _from_folder(source, {})
    found.ignored += skipped
    return found


def _unpack(archive: zipfile.ZipFile, scratch: Path) -> list[str]:
    """Write the archive's regular files into `scratch`; return the members skipped, each
    with why."""
    skipped = []
    for info in archive.infolist():
        name, kind = member_name(info.filename), not_a_file(info.external_attr >> 16)
        if info.is_dir() or not name:
            continue
        if kind or (escapes(info.filename) and "/" not in name):
            skipped.append(f"{info.filename} ({kind or 'outside every submission folder'})")
            continue
        target = scratch / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as member, open(target, "xb") as unpacked:
                shutil.copyfileobj(member, unpacked)
        except OSError as exc:  # a second member of that name, or a file where a folder is
            skipped.append(f"{info.filename} ({exc.strerror})")
    return skipped


def _single_folder(folder: Path) -> Path:
    """The one folder a zip often wraps everything in, else the folder itself."""
    entries = [p for p in folder.iterdir() if p.name not in IGNORED_NAMES]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else folder


def _find_metadata(folder: Path) -> Path | None:
    """Gradescope's metadata file at the top or one folder down."""
    for candidate in [folder / METADATA, *sorted(folder.glob(f"*/{METADATA}"))]:
        if candidate.is_file():
            return candidate
    return None


def _from_export(metadata: Path) -> Found:
    entries = read_metadata(metadata)
    students = {key: _students(entry) for key, entry in entries.items()}
    return _from_folder(metadata.parent, students)


def _from_folder(folder: Path, students: dict[str, tuple[Student, ...]]) -> Found:
    found = Found([])
    used: set[str] = set()
    for entry in sorted(folder.iterdir()):
        if entry.name in IGNORED_NAMES or entry.name.startswith("."):
            continue
        if entry.is_dir() or zipfile.is_zipfile(entry):
            key = entry.name if entry.is_dir() else entry.stem
            found.submissions.append(
                Submission(_unique(_safe_id(key), used), entry, students.get(key, ())))
        else:
            found.ignored.append(entry.name)
    return found


def _safe_id(name: str) -> str:
    """A name usable as a folder: letters, digits, `.`, `_`, `-`."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "submission"


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}-{n}"
    used.add(candidate)
    return candidate


def read_metadata(path: Path) -> dict[str, dict]:
    """Gradescope's submission_metadata.yml as plain dicts, keys without Ruby's colons."""
    import yaml

    class Loader(yaml.SafeLoader):
        """Safe loading that reads Ruby-tagged values as the plain data under the tag."""

    def untagged(loader, _suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", untagged)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: not a readable Gradescope metadata file ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected one entry per submission folder")
    return {str(key): _plain_keys(value) for key, value in data.items()}


def _plain_keys(value):
    if isinstance(value, dict):
        return {str(k).lstrip(":"): _plain_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_keys(v) for v in value]
    return value


def _students(entry: dict) -> tuple[Student, ...]:
    submitters = entry.get("submitters") if isinstance(entry, dict) else None
    return tuple(Student(name=str(s.get("name") or ""), email=str(s.get("email") or ""),
                         sid=str(s.get("sid") or ""))
                 for s in submitters or [] if isinstance(s, dict))
