"""The grading secret of one submission: what makes the judge's inputs unpredictable.

Mixed into every test's seed when grading (`plugin.test_seed`). A digest of the
course's grading secret, of the assignment's folder (hidden tests included, which
students never see; not its selftest cases, so that editing the corpus changes no
student's inputs) and of the submission: unpredictable from the student's side, yet
the same for the same submission, so its score is the same on every run, and new
with each term's secret. The staff's salt, when given, grades the same files as
another student's would be (`grader selftest --seeds`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from grader.assignment import CASES, Assignment
from grader.toolkit import secret as course_secret


def grading_secret(assignment: Assignment, submission: Path | None, salt: str = "") -> str:
    digest = hashlib.sha256(course_secret.read(assignment.root) or b"")
    digest.update(salt.encode() + b"\0")
    for folder in filter(None, (assignment.root, submission)):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not
                           {"__pycache__", CASES} & set(p.relative_to(folder).parts)):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()
