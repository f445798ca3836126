"""Benchmark: `grader batch --jobs N` against sequential `grader grade`, same submissions, same run.

Submissions of an assignment (20 unless told: its reference, its skeleton, and copies
of the reference told apart by a comment, so that each is graded afresh) are graded one
`grader grade` after another, then by one `grader batch --jobs N`; the two are
interleaved over the repeats. Each `grader grade` starts a judge that imports torch,
pytest and the grader; the batch imports them once per slot in its warm judges and
forks a fresh `grader grade` from one for each submission, and runs N gradings at once.
Reports wall time, the throughput ratio, the load average before and after each run
(the machine may be shared), and the peak memory of all the processes together (the
batch, its warm judges, their gradings and sandboxed workers): RSS and anonymous RSS
(pages shared after a fork counted in each process) and PSS (shared pages split
between the processes that share them: what the processes cost together), sampled
from /proc every 0.25 s. Checks that each submission's results.json is the same both
ways, but for what differs between any two gradings (durations, the worker user,
object addresses in assertion messages).

Usage: python bench/bench_batch.py [--assignment mnist_nets] [--submissions 20] [--jobs 2]
                                   [--repeats 1] [--pytest-args "-m 'not training'"]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_grading import children, memory_kb

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    seconds: float
    load: tuple[float, float]  # 1-minute load average before and after
    rss_kb: int = 0            # peaks of the sums over all processes at one instant
    anon_kb: int = 0
    pss_kb: int = 0


def make_submissions(assignment: str, folder: Path, count: int) -> list[Path]:
    reference = ROOT / "solutions" / assignment
    submissions = [shutil.copytree(reference, folder / "reference"),
                   shutil.copytree(ROOT / "student_template" / assignment, folder / "skeleton")]
    for n in range(count - 2):
        copy = shutil.copytree(reference, folder / f"student{n:02d}")
        for module in copy.glob("*.py"):
            with open(module, "a") as f:
                f.write(f"# student {n}\n")
        submissions.append(copy)
    return submissions


def pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in rollup.splitlines()
                 if line.startswith("Pss:")), 0)


def comparable(results: Path) -> str:
    document = json.loads(results.read_text())
    document.pop("execution_time")
    document["extra_data"].pop("sandbox", None)
    for test in document["tests"]:
        test["extra_data"].pop("duration_s", None)
    return re.sub(r" at 0x[0-9a-f]+", " at 0x...", json.dumps(document))


def differing(out: Path, submissions: list[Path]) -> list[str]:
    """The submissions whose results the batch and `grader grade` disagree on."""
    return [s.name for s in submissions if comparable(out / "grade" / s.name / "results.json")
            != comparable(out / "batch" / s.name / "results.json")]


def run_sampled(commands: list[list[str]], env: dict) -> Run:
    """Run the commands one after another, sampling the memory of all their processes."""
    run = Run(0.0, (os.getloadavg()[0], 0.0))
    start = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=env)
        while True:
            pids = children(process.pid)
            samples = [s for s in map(memory_kb, pids) if s]
            run.rss_kb = max(run.rss_kb, sum(s[1] for s in samples))
            run.anon_kb = max(run.anon_kb, sum(s[2] for s in samples))
            run.pss_kb = max(run.pss_kb, sum(map(pss_kb, pids)))
            try:
                process.wait(timeout=0.25)  # returns as soon as it ends: no time added
                break
            except subprocess.TimeoutExpired:
                continue
        if process.returncode not in (0, 1):  # batch: 1 when a grading failed, still timed
            raise SystemExit(f"{shlex.join(command)} failed with {process.returncode}")
    run.seconds = time.perf_counter() - start
    run.load = (run.load[0], os.getloadavg()[0])
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="mnist_nets")
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--pytest-args", default="", help="test selection for every grading")
    args = parser.parse_args()
    grader = [sys.executable, "-m", "grader.cli"]
    env = {**os.environ, "PYTEST_ADDOPTS": args.pytest_args}  # as `grader batch` sets it
    results: dict[str, list[Run]] = {"sequential": [], "batch": []}
    different: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        submissions = make_submissions(args.assignment, tmp / "class", args.submissions)
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
            different += differing(out, submissions)
    report(args, results, different)


def report(args: argparse.Namespace, results: dict[str, list[Run]],
           different: list[str]) -> None:
    seconds = {name: statistics.median(r.seconds for r in runs) for name, runs in results.items()}
    selection = f", pytest {args.pytest_args}" if args.pytest_args else ", all tests"
    print(f"{args.submissions} submissions of {args.assignment}{selection}, "
          f"{len(os.sched_getaffinity(0))} CPUs, median of {args.repeats}:")
    print(f"  sequential `grader grade`: {seconds['sequential']:.1f} s "
          f"({seconds['sequential'] / args.submissions:.1f} s per submission)")
    print(f"  `grader batch --jobs {args.jobs}` (warm judges): {seconds['batch']:.1f} s, "
          f"throughput {seconds['sequential'] / seconds['batch']:.2f}x")
    print(f"  results.json the same both ways: {args.submissions * args.repeats - len(different)}"
          f" of {args.submissions * args.repeats}" + (f" (not: {', '.join(different)})"
                                                      if different else ""))
    for name, runs in results.items():
        loads = ", ".join(f"{r.load[0]:.1f} -> {r.load[1]:.1f}" for r in runs)
        rss, anon, pss = (max(getattr(r, key) for r in runs) / 2**20
                          for key in ("rss_kb", "anon_kb", "pss_kb"))
        print(f"  {name}: load average (1 min) {loads}; peak memory of all processes at once: "
              f"RSS {rss:.2f} GB, anon {anon:.2f} GB (shared pages counted per process), "
              f"PSS {pss:.2f} GB")


if __name__ == "__main__":
    main()
