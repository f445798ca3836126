"""Hiding files by their modes, for when mount namespaces are not allowed (Docker's default).

The worker runs as a user of its own, so it reaches the judge's files only
through their "other" permission bits. Taking those away from the secret
folders hides them; folders that also hold something the worker needs (the
grader package inside a checkout) keep only "x", so that the needed path can be
walked but nothing else in them listed or entered. Modes are restored on close.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_OTHER = stat.S_IRWXO


class PermissionHiding:
    def __init__(self, hide: list[str], keep: list[str], secrets: list[str]):
        self.hide = [Path(p) for p in hide]
        self.keep = [Path(p) for p in keep]
        self.secrets = [Path(p) for p in secrets]  # inside kept folders, hidden all the same
        self.saved: dict[Path, int] = {}

    def apply(self) -> list[str]:
        """Restrict the modes; returns the paths hidden."""
        for path in self.hide:
            self._hide(path)
        for path in self.secrets:
            self._chmod(path, 0)
        return sorted(str(p) for p in self.saved if not self._on_the_way(p))

    def _on_the_way(self, path: Path) -> bool:
        """True when `path` holds something kept (the worker must walk through it)."""
        return any(k.is_relative_to(path) and k != path for k in self.keep)

    def _hide(self, path: Path) -> None:
        if any(path.is_relative_to(k) for k in self.keep) or not path.exists():
            return
        if not self._on_the_way(path):
            self._chmod(path, 0)
            return
        self._chmod(path, stat.S_IXOTH)  # walk through, list nothing
        for child in path.iterdir():
            if not child.is_symlink():
                self._hide(child)

    def _chmod(self, path: Path, other: int) -> None:
        """Keep at most `other` of the "other" bits; never grant one that was not there."""
        mode = stat.S_IMODE(path.stat().st_mode)
        self.saved.setdefault(path, mode)
        os.chmod(path, (mode & ~_OTHER) | (mode & other))

    def restore(self) -> None:
        for path, mode in reversed(list(self.saved.items())):
            try:
                os.chmod(path, mode)
            except OSError:  # removed meanwhile
                continue
        self.saved.clear()
