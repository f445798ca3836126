"""Making and renewing the course's grading secret (grader.toolkit.secret reads it).

`grader build` makes one when the course has none; `grader build --new-secret`
makes a new one for a new term and runs each assignment's `[secret_files] make`
script, which writes again the files drawn from it (cifar_resnet: the test
images students predict, and the reference's predictions of them).
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

from grader.assignment import Assignment, ConfigError
from grader.authoring.project import Project
from grader.toolkit import secret


def path(project: Project) -> Path:
    return project.assignments / secret.FILE


def ensure(project: Project, *, new: bool = False) -> bool:
    """Write a fresh secret when there is none (or `new`); True when one was written."""
    target = path(project)
    if target.is_file() and not new:
        return False
    # Written under a temporary name and renamed, so a secret is never half there.
    temporary = target.with_name(f".{secret.FILE}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    os.replace(temporary, target)
    return True


def remake(project: Project, assignment: Assignment) -> None:
    """Run `[secret_files] make` (if any) with this Python, from the project root."""
    command = assignment.settings.secret_files.make
    if command is None:
        return
    script, *arguments = shlex.split(command)
    script_path = assignment.root / script
    if not script_path.is_file():
        raise ConfigError(f"{assignment.root / 'assignment.toml'}: [secret_files] make names "
                          f"{script!r}, which is not a file beside it")
    done = subprocess.run([sys.executable, str(script_path), *arguments], cwd=project.root,
                          check=False)
    if done.returncode != 0:
        raise ConfigError(f"{assignment.name}: [secret_files] make ({command}) failed with exit "
                          f"status {done.returncode}")
