"""Benchmark: `grader batch --jobs N` against sequential `grader grade`, same submissions, same run.

Eight submissions of an assignment (its reference, its skeleton, and six copies of
the reference told apart by a comment, so that each is graded afresh) are graded
one `grader grade` after another, then by one `grader batch --jobs N`; the two
are interleaved over the repeats. Much of a grading is starting processes and
importing torch, which two gradings at once overlap. Reports wall time,
throughput ratio, and the peak memory of all the processes together (the batch,
its judges, their sandboxed workers), sampled from /proc every 50 ms.

Usage: python bench/bench_batch.py [--assignment mnist_nets] [--jobs 2] [--repeats 1]
                                   [--pytest-args "-m 'not training'"]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_grading import children, memory_kb

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = 8


def make_submissions(assignment: str, folder: Path) -> list[Path]:
    reference = ROOT / "solutions" / assignment
    submissions = [shutil.copytree(reference, folder / "reference"),
                   shutil.copytree(ROOT / "student_template" / assignment, folder / "skeleton")]
    for n in range(SUBMISSIONS - 2):
        copy = shutil.copytree(reference, folder / f"student{n}")
        for module in copy.glob("*.py"):
            with open(module, "a") as f:
                f.write(f"# student {n}\n")
        submissions.append(copy)
    return submissions


def run_sampled(commands: list[list[str]], env: dict) -> tuple[float, int, int]:
    """Run the commands one after another: seconds, peak RSS and anon KB of all processes."""
    peak_rss = peak_anon = 0
    start = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=env)
        while process.poll() is None:
            samples = [s for s in map(memory_kb, children(process.pid)) if s]
            peak_rss = max(peak_rss, sum(s[1] for s in samples))
            peak_anon = max(peak_anon, sum(s[2] for s in samples))
            time.sleep(0.05)
        if process.returncode not in (0, 1):  # batch: 1 when a grading failed, still timed
            raise SystemExit(f"{shlex.join(command)} failed with {process.returncode}")
    return time.perf_counter() - start, peak_rss, peak_anon


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="mnist_nets")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--pytest-args", default="", help="test selection for every grading")
    args = parser.parse_args()
    grader = [sys.executable, "-m", "grader.cli"]
    env = {**os.environ, "PYTEST_ADDOPTS": args.pytest_args}  # as `grader batch` sets it
    results: dict[str, list] = {"sequential": [], "batch": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        submissions = make_submissions(args.assignment, tmp / "class")
        for repeat in range(args.repeats):
            out = tmp / f"run{repeat}"
            runs = {
                "sequential": [[*grader, "grade", args.assignment, str(s), "-o",
                                str(out / "grade" / s.name / "results.json")]
                               for s in submissions],
                "batch": [[*grader, "batch", args.assignment, str(tmp / "class"), "-o",
                           str(out / "batch"), "--jobs", str(args.jobs),
                           "--pytest-args", args.pytest_args]],
            }
            order = list(runs) if repeat % 2 == 0 else list(reversed(runs))
            for name in order:
                results[name].append(run_sampled(runs[name], env))
    seconds = {name: statistics.median(r[0] for r in runs) for name, runs in results.items()}
    selection = f", pytest {args.pytest_args}" if args.pytest_args else ", all tests"
    print(f"{SUBMISSIONS} submissions of {args.assignment}{selection}, "
          f"{len(os.sched_getaffinity(0))} CPUs, median of {args.repeats}:")
    print(f"  sequential `grader grade`: {seconds['sequential']:.1f} s "
          f"({seconds['sequential'] / SUBMISSIONS:.1f} s per submission)")
    print(f"  `grader batch --jobs {args.jobs}`: {seconds['batch']:.1f} s, throughput "
          f"{seconds['sequential'] / seconds['batch']:.2f}x")
    for name, runs in results.items():
        rss, anon = max(r[1] for r in runs), max(r[2] for r in runs)
        print(f"  peak memory, {name}, all processes at once: RSS {rss / 2**20:.2f} GB "
              f"(shared pages counted per process), anon {anon / 2**20:.2f} GB")


if __name__ == "__main__":
    main()
