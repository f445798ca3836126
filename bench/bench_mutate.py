"""Benchmark: a full `grader mutate` against one sandboxed grading of the reference, in one run.

Grades the reference once as a student is graded (`grader grade`, sandboxed, every
test), then runs `grader mutate NAME` (every mutant; each graded with the tests whose
traced run of the reference reaches its function, the prescreen first) and reports the
ratio of their wall times, with the mutation run's counts. Target: at most 20x.

Usage: python bench/bench_mutate.py [ASSIGNMENT] [--jobs N] [--sample N] [-o report.md]
(-o keeps the mutation report, as `make mutate` writes it to docs/mutation/.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    return time.monotonic() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="mnist_nets")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, help="mutants to grade (default: all)")
    parser.add_argument("-o", "--output", type=Path, help="keep the mutation report here")
    args = parser.parse_args()
    grader = [sys.executable, "-m", "grader.cli"]
    with tempfile.TemporaryDirectory(prefix="bench-mutate-") as tmp:
        scratch = Path(tmp)
        graded, done = timed([*grader, "grade", args.assignment,
                              str(ROOT / "solutions" / args.assignment),
                              "-o", str(scratch / "results.json"), "--device", "cpu"])
        if done.returncode != 0:
            sys.exit(f"grading the reference failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        report = args.output.resolve() if args.output else scratch / "mutation.md"
        sample = ["--sample", str(args.sample)] if args.sample else []
        mutated, done = timed([*grader, "mutate", args.assignment, "--jobs", str(args.jobs),
                               *sample, "-o", str(report)])
        found = report.with_suffix(".json")
        if not found.is_file():
            sys.exit(f"grader mutate wrote no report:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        result = json.loads(found.read_text())
    counts, score = result["counts"], result["score"]
    print(f"{args.assignment}: one sandboxed grading of the reference {graded:.0f} s; "
          f"grader mutate{' --sample ' + str(args.sample) if args.sample else ''} "
          f"--jobs {args.jobs} {mutated:.0f} s = {mutated / graded:.1f}x (target: at most "
          f"20x); {counts['generated']} mutants, {counts['graded']} graded, "
          f"{counts['killed']} killed, {counts['survived']} survived, score "
          f"{'-' if score is None else f'{score:.1%}'}, exit {done.returncode}")


if __name__ == "__main__":
    main()
