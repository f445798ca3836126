"""Hiding by file modes (no mount namespace, as in Docker): checked as a real worker user."""

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from grader.sandbox import users
from grader.sandbox.hiding import PermissionHiding
from tests.sandbox.conftest import needs_root


@pytest.fixture
def tree():
    root = Path(tempfile.mkdtemp(prefix="grader-hiding-"))
    os.chmod(root, 0o755)
    for name, text in {"secret/answers.txt": "42", "notes.txt": "n", "pkg/sub/mod.py": "ok",
                       "pkg/sub/data/labels": "7", "pkg/other.py": "o"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    yield root
    shutil.rmtree(root)


def read_as(user: users.WorkerUser, path: Path) -> str:
    run = subprocess.run(["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}",
                          "--clear-groups", "cat", str(path)],
                         capture_output=True, text=True, check=False)
    return run.stdout if run.returncode == 0 else "denied"


@needs_root
def test_secrets_are_hidden_the_kept_package_stays_reachable_and_modes_come_back(tree):
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in tree.rglob("*")}
    hiding = PermissionHiding([str(tree)], [str(tree / "pkg/sub")], [str(tree / "pkg/sub/data")])
    user = users.acquire()
    try:
        hidden = hiding.apply()
        assert read_as(user, tree / "pkg/sub/mod.py") == "ok"
        for secret in ("secret/answers.txt", "notes.txt", "pkg/other.py", "pkg/sub/data/labels"):
            assert read_as(user, tree / secret) == "denied", secret
        assert str(tree / "secret") in hidden and str(tree) not in hidden
        hiding.restore()
        assert read_as(user, tree / "secret/answers.txt") == "42"
        assert {p: stat.S_IMODE(p.stat().st_mode) for p in tree.rglob("*")} == modes
    finally:
        user.release()
