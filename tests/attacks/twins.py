"""Honest twins and their cheats: a wrong submission, and the same one with a cheat."""

import shutil
from pathlib import Path


def wrong_submission(reference: Path, folder: Path, module: str, mistakes: tuple,
                     cheat: Path | None = None) -> Path:
    """A copy of ``reference`` with each (right, wrong) text of ``mistakes`` made in
    ``module``; with ``cheat``, that file's text appended to the module as well."""
    shutil.copytree(reference, folder)
    path = folder / module
    source = path.read_text()
    for right, wrong in mistakes:
        assert source.count(right) == 1, f"the reference no longer contains {right!r} once"
        source = source.replace(right, wrong)
    if cheat is not None:
        source += "\n\n# ---- cheat ----\n" + cheat.read_text()
    path.write_text(source)
    return folder
