"""Where assignments are, and reading one: its `assignment.toml`, once per process.

Reading has no side effect: it neither imports torch nor runs the assignment's own
modules. The names `[training] dataset` may use are read from the source of the dataset
registry and of the assignment's datasets module (`names`); the judge registers those
datasets when it grades (`grader.judge.registration`).
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

from grader.assignment import names
from grader.assignment.checking import error
from grader.assignment.definition import CONFIG_NAME, Assignment
from grader.assignment.errors import ConfigError
from grader.assignment.tables import parse

PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def _extension(root: Path, key: str, relative: str | None) -> Path | None:
    """The module file `[extensions] key` names: inside the assignment's folder, existing."""
    if relative is None:
        return None
    path = (root / relative).resolve()
    if not relative.endswith(".py") or not path.is_relative_to(root.resolve()):
        raise error("[extensions]", key, f"{relative!r} must be a .py file inside the "
                     "assignment's folder (the zips ship that folder)")
    if not path.is_file():
        raise error("[extensions]", key, f"{relative!r}: no such file beside assignment.toml")
    return path


def load(root: str | os.PathLike) -> Assignment:
    """The assignment whose `assignment.toml` is in the folder `root` (read once)."""
    return _read(Path(root))


@cache
def _read(root: Path) -> Assignment:
    path = root / CONFIG_NAME
    try:
        config = tomllib.loads(path.read_text())
        settings = parse(config)
        extensions = {key: _extension(root, key, getattr(settings.extensions, key))
                      for key in ("datasets", "helpers")}
        if settings.training.dataset and not settings.assignment.public_tests_only:
            _check_dataset(settings.training.dataset, extensions["datasets"])
    except (OSError, tomllib.TOMLDecodeError, ConfigError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    meta, submission = settings.assignment, settings.submission
    return Assignment(
        root=root.resolve(),
        name=meta.name or root.name,
        title=meta.title or meta.name or root.name,
        visibility=meta.visibility,
        seed=meta.seed,
        files=submission.files,
        max_file_kb=submission.max_file_kb,
        time_budget_s=settings.grading.time_budget_s,
        call_timeout_s=settings.grading.call_timeout_s,
        submission=(root / submission.local).resolve() if submission.local else None,
        reference=(root / meta.reference).resolve() if meta.reference else None,
        requirements=meta.requirements,
        datasets_module=extensions["datasets"],
        helpers_module=extensions["helpers"],
        settings=settings,
        config=config,
    )


load.cache_clear = _read.cache_clear  # a changed assignment.toml is read again


def _check_dataset(name: str, module: Path | None) -> None:
    """[training] dataset names a built-in dataset or one of the assignment's own module.

    The student template's copy is left alone: it keeps the name its hidden tests train
    on, while the module may stay with the judge.
    """
    built_in = names.built_in_datasets()
    own = _own_datasets(module) if module and name not in built_in else ()
    if name not in built_in | set(own):
        origin = f"; {module.name} adds {', '.join(sorted(own))}" if own else (
            "; an assignment adds its own with [extensions] datasets")
        raise error("[training]", "dataset", f"unknown dataset {name!r} (built in: "
                    f"{', '.join(sorted(built_in))}{origin})")


def _own_datasets(module: Path) -> tuple[str, ...]:
    """The names the datasets module registers, read from its source."""
    try:
        found = names.literal_keys(module, "DATASETS")
    except SyntaxError as exc:
        raise error("[extensions]", "datasets", f"{module.name} is not valid Python "
                    f"(line {exc.lineno}: {exc.msg})") from None
    if found is None:
        raise error("[extensions]", "datasets", f"{module.name}: write DATASETS as a dict "
                    "literal, DATASETS = {\"name\": loader, ...}, so that [training] dataset "
                    "can be checked without running the module")
    return found


def find_root(path: Path) -> Path | None:
    """The nearest folder at or above `path` that holds an assignment.toml."""
    for folder in [path, *path.parents] if path.is_dir() else path.parents:
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def assignments_dir() -> Path:
    """`$GRADER_ASSIGNMENTS`, else `assignments/` beside the grader package."""
    return Path(os.environ.get("GRADER_ASSIGNMENTS", PACKAGE_ROOT / "assignments"))


def resolve(name_or_path: str, project: Path | None = None) -> Assignment:
    """An assignment by name in the course repository `project` (its `assignments/`);
    without one, by path to its folder or by name under `assignments_dir()`."""
    folder = Path(project).resolve() / "assignments" if project else assignments_dir()
    path = Path(name_or_path)
    if project is not None or not (path / CONFIG_NAME).is_file():
        path = folder / name_or_path
    if not (path / CONFIG_NAME).is_file():
        known = ", ".join(sorted(p.parent.name for p in folder.glob(f"*/{CONFIG_NAME}")))
        raise ConfigError(f"no assignment {name_or_path!r} under {folder} "
                          f"(known: {known or 'none'})")
    return load(path.resolve())


def available() -> list[Assignment]:
    root = assignments_dir()
    if not root.is_dir():
        return []
    return [load(p.parent.resolve()) for p in sorted(root.glob(f"*/{CONFIG_NAME}"))]
