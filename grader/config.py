"""Assignments: where they are and what their `assignment.toml` says."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CONFIG_NAME = "assignment.toml"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """An assignment that cannot be found or whose configuration is wrong."""


@dataclass(frozen=True)
class Assignment:
    root: Path
    name: str
    title: str
    visibility: str = "visible"
    seed: int = 0
    files: tuple[str, ...] = ()
    max_file_kb: int = 1024
    time_budget_s: float = 540.0
    call_timeout_s: float = 120.0
    submission: Path | None = None   # where local runs find the code (student template)
    reference: Path | None = None    # the reference solution, for tests that compare to it
    config: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def modules(self) -> list[str]:
        """Importable module names of the submission (`models.py` -> `models`)."""
        return [Path(f).stem for f in self.files if f.endswith(".py")]


@cache
def load(root: Path) -> Assignment:
    """Parse `root/assignment.toml`."""
    path = Path(root) / CONFIG_NAME
    try:
        config = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    meta = config.get("assignment", {})
    sub = config.get("submission", {})
    grading = config.get("grading", {})
    visibility = meta.get("visibility", "visible")
    if visibility not in VISIBILITIES:
        raise ConfigError(f"{path}: visibility must be one of {VISIBILITIES}, not {visibility!r}")
    local = sub.get("local")
    reference = meta.get("reference")
    return Assignment(
        root=Path(root).resolve(),
        name=meta.get("name", Path(root).name),
        title=meta.get("title", meta.get("name", Path(root).name)),
        visibility=visibility,
        seed=int(meta.get("seed", 0)),
        files=tuple(sub.get("files", ())),
        max_file_kb=int(sub.get("max_file_kb", 1024)),
        time_budget_s=float(grading.get("time_budget_s", 540)),
        call_timeout_s=float(grading.get("call_timeout_s", 120)),
        submission=(Path(root) / local).resolve() if local else None,
        reference=(Path(root) / reference).resolve() if reference else None,
        config=config,
    )


def find_root(path: Path) -> Path | None:
    """The nearest folder at or above `path` that holds an assignment.toml."""
    for folder in [path, *path.parents] if path.is_dir() else path.parents:
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def assignments_dir() -> Path:
    """`$GRADER_ASSIGNMENTS`, else `assignments/` beside the grader package."""
    return Path(os.environ.get("GRADER_ASSIGNMENTS", PACKAGE_ROOT / "assignments"))


def resolve(name_or_path: str) -> Assignment:
    """An assignment by name (under `assignments/`) or by path to its folder."""
    path = Path(name_or_path)
    if not (path / CONFIG_NAME).is_file():
        path = assignments_dir() / name_or_path
    if not (path / CONFIG_NAME).is_file():
        known = ", ".join(a.name for a in available()) or "none"
        raise ConfigError(f"no assignment {name_or_path!r} (known: {known})")
    return load(path.resolve())


def available() -> list[Assignment]:
    root = assignments_dir()
    if not root.is_dir():
        return []
    return [load(p.parent.resolve()) for p in sorted(root.glob(f"*/{CONFIG_NAME}"))]
