"""Benchmark: `grader calibrate` against the reference's graded training tests, in one run.

Grades the reference with only its training tests (`-m training`, sandboxed, as a
student is graded) and sums their durations; then runs `grader calibrate NAME
--seeds N` on a copy of the course (the repository's assignment.toml is not
touched). Reports the calibration's wall time per seed, and per seed and design
(the reference and each corpus member train every model once a seed), as a ratio
to the graded trainings. Target: at most 3x per seed and design.

Usage: python bench/bench_calibrate.py [ASSIGNMENT] [--seeds 20]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.assignment import loading
from grader.authoring.selftest import corpus
from grader.judge import runner
from grader.toolkit import secret

ROOT = Path(__file__).resolve().parents[1]


def graded_training_seconds(assignment, scratch: Path) -> float:
    document = runner.grade(assignment, ROOT / "solutions" / assignment.name,
                            scratch / "results.json", extra_args=("-m", "training"))
    assert document["score"] == sum(t["max_score"] for t in document["tests"]), document
    return sum(t["extra_data"]["duration_s"] for t in document["tests"])


def course_copy(name: str, scratch: Path) -> Path:
    """The assignment and its reference in a course of their own (calibrate writes to it)."""
    root = scratch / "course"
    shutil.copytree(ROOT / "assignments" / name, root / "assignments" / name,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "assignments" / secret.FILE, root / "assignments" / secret.FILE)
    shutil.copytree(ROOT / "solutions" / name, root / "solutions" / name,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="mnist_nets")
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    assignment = loading.resolve(args.assignment)
    designs = 1 + len(corpus(assignment))
    with tempfile.TemporaryDirectory(prefix="bench-calibrate-") as tmp:
        scratch = Path(tmp)
        graded = graded_training_seconds(assignment, scratch)
        root = course_copy(args.assignment, scratch)
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "grader.cli", "calibrate", args.assignment,
                               "--seeds", str(args.seeds), "--project", str(root)],
                              capture_output=True, text=True, check=False)
        seconds = time.monotonic() - start
    print(done.stdout.splitlines()[-1] if done.stdout else done.stderr[-2000:])
    per_seed = seconds / args.seeds
    print(f"{args.assignment}: graded training tests of the reference {graded:.1f} s; "
          f"calibrate --seeds {args.seeds} {seconds:.1f} s (exit {done.returncode}), "
          f"{per_seed:.1f} s a seed = {per_seed / graded:.2f}x; {designs} designs: "
          f"{per_seed / designs / graded:.2f}x per seed and design (target: at most 3x)")


if __name__ == "__main__":
    main()
