"""The course's grading secret, from which secret test sets are drawn.

One file per course, `assignments/grading.secret` (beside the assignments'
folders): random text that `grader build` creates when it is missing and
`grader build --new-secret` replaces for a new term. It travels in the
autograder zip and stays in the staff's repository; it is never part of the
student handout, and the sandbox hides the assignments' folder from workers.

A secret test set's generator may ship to students (cifar_resnet's does):
its seed comes from here, so nothing students hold, nor any test file,
determines a label, and labels learned in one term say nothing of the next.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

FILE = "grading.secret"


class MissingSecret(RuntimeError):
    """The course has no grading secret yet (a staff problem, never a student's)."""


def path_for(assignment_root: Path) -> Path:
    """Where the course's secret lies for the assignment in `assignment_root`."""
    return Path(assignment_root).parent / FILE


def read(assignment_root: Path) -> bytes | None:
    """The course's secret, or None when the course has none."""
    try:
        text = path_for(assignment_root).read_bytes().strip()
    except FileNotFoundError:
        return None
    return text or None


def seed(assignment_root: Path, purpose: str) -> int:
    """A seed for `purpose` (a test set's name) of one assignment, drawn from the secret."""
    secret = read(assignment_root)
    if secret is None:
        raise MissingSecret(
            f"{path_for(assignment_root)} is missing: this assignment draws a secret test set "
            "from the course's grading secret. `grader build NAME` creates one.")
    digest = hashlib.sha256(b"\0".join([secret, Path(assignment_root).name.encode(),
                                        purpose.encode()]))
    return int.from_bytes(digest.digest()[:8], "little") % 2**63


def told(accuracy: float, resolution: float = 0.01) -> str:
    """An accuracy on a secret set as students may see it: rounded down to `resolution`.

    A finer figure would let resubmissions that change one answer at a time read
    the set's labels.
    """
    steps = int(accuracy / resolution + 1e-9)  # down, so a threshold is never shown as met
    digits = max(0, len(f"{resolution * 100:.10g}".partition(".")[2]))
    return f"{steps * resolution * 100:.{digits}f}%"
