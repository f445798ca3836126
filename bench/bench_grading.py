"""Benchmark: grade an assignment's reference end to end; wall time and peak memory per process.

Runs `grader grade` as a child process and samples /proc every 50 ms for it and
every descendant (the judge, its sandboxed workers): peak total RSS (VmRSS) and
peak anonymous RSS (RssAnon, what the process itself allocated, without
shared library pages). Reports which torch wheel was measured (CUDA wheels
load about 300 MB more per torch process than CPU-only ones) and the packages
the assignment requires beyond the course's.

Usage: python bench/bench_grading.py [ASSIGNMENT] [--device cpu|cuda|auto] [--no-sandbox]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.assignment import loading

ROOT = Path(__file__).resolve().parents[1]


def children(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                queue += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def memory_kb(pid: int) -> tuple[str, int, int] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    kb = [int(fields.get(k, "0 kB").split()[0]) for k in ("VmRSS", "RssAnon")]
    return cmdline.strip()[:90], kb[0], kb[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="mnist_nets")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--no-sandbox", action="store_true")
    args = parser.parse_args()
    peaks: dict[int, list] = {}
    total = [0, 0]  # peak of the sums over all processes at one instant: RSS, anon
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "grader.cli", "grade", args.assignment,
                   str(ROOT / "solutions" / args.assignment), "-o", f"{tmp}/results.json",
                   "--device", args.device, *(["--no-sandbox"] if args.no_sandbox else [])]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        while process.poll() is None:
            now = [0, 0]
            for pid in children(process.pid):
                sample = memory_kb(pid)
                if sample:
                    name, rss, anon = sample
                    old = peaks.setdefault(pid, [name, 0, 0])
                    old[0] = name or old[0]  # a launcher execs the worker under the same pid
                    old[1], old[2] = max(old[1], rss), max(old[2], anon)
                    now = [now[0] + rss, now[1] + anon]
            total = [max(total[0], now[0]), max(total[1], now[1])]
            time.sleep(0.05)
        wall = time.perf_counter() - start
        score = [line for line in process.stdout.read().splitlines() if line.startswith("Score")]
    print(f"{args.assignment}: {wall:.1f} s wall, {score[-1] if score else 'no score line'}")
    print(f"torch wheel: {importlib.metadata.version('torch')}, "
          f"sandbox: {not args.no_sandbox}, device: {args.device}")
    # Packages an assignment adds ([assignment] requirements) load into the same processes.
    extras = loading.resolve(args.assignment).requirements
    print(f"assignment requirements beyond the course's: {', '.join(extras) or 'none'}")
    print(f"  all processes at once: peak RSS {total[0] / 1024:.0f} MB (shared pages counted "
          f"per process), peak anon {total[1] / 1024:.0f} MB")
    for name, rss, anon in sorted(peaks.values(), key=lambda p: -p[1]):
        if rss > 50_000:
            print(f"  peak RSS {rss / 1024:7.0f} MB  anon {anon / 1024:7.0f} MB  {name}")


if __name__ == "__main__":
    main()
