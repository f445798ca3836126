"""The small course the authoring tests work on (tests/fixtures/project), and helpers."""

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).parents[1] / "fixtures" / "project"
NAME = "calc_basics"


def run_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Plain `pytest` as a student runs it (the grader plugin loads through its entry point)."""
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
                          timeout=300, check=False)
