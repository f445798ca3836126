"""Benchmark: grade submissions on the machine as it is, then with every CPU oversubscribed.

Each submission (the assignment's reference unless told) is graded by `grader grade`,
sandboxed, on the CPU: once as the machine is ("idle"), once while processes that
compute without end keep every CPU busy ("busy": twice as many as there are CPUs,
4 on a 2-CPU machine). A call's limit counts CPU time and a disturbed timing is a
regrade, so the busy grading must lose no points: it may take longer, and its timing
tests may come back marked for a regrade instead of graded. Reports per grading: wall
time, score, the tests that lost points, the tests marked for a regrade, and the CPU
time (per CPU) of the costliest call into student code beside `call_timeout_s`.

Usage: python bench/bench_busy.py [ASSIGNMENT] [--submission DIR ...] [--modes idle,busy]
                                  [--burners N] [--json PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BURN = "while True: pass"


@contextlib.contextmanager
def burning(processes: int) -> Iterator[None]:
    """`processes` processes computing without end, for the duration (then killed)."""
    burners = [subprocess.Popen([sys.executable, "-c", BURN], start_new_session=True)
               for _ in range(processes)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def grade(assignment: str, submission: Path, folder: Path) -> dict:
    """One `grader grade` run: what it scored, what it lost, what it left to a regrade."""
    output = folder / "results.json"
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "grade", assignment, str(submission), "-o",
         str(output), "--device", "cpu"],
        capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if not output.is_file():
        return {"wall_s": round(wall, 1), "error": done.stdout[-2000:] + done.stderr[-2000:]}
    document = json.loads(output.read_text())
    tests = document["tests"]
    sandbox = document["extra_data"].get("sandbox", {})
    return {
        "wall_s": round(wall, 1),
        "load_before": round(load, 1),
        "load_after": round(os.getloadavg()[0], 1),
        "score": document["score"],
        "max_score": sum(t["max_score"] for t in tests),
        "lost": {t.get("number", t["name"]): t["output"].splitlines()[0] if t["output"] else ""
                 for t in tests if t["score"] < t["max_score"]
                 and not t["extra_data"].get("regrade")},
        "regrade": document["extra_data"].get("regrade", []),
        "regrade_outputs": [t["output"] for t in tests if t["extra_data"].get("regrade")],
        "heaviest_call_cpu_s": sandbox.get("heaviest_call_cpu_s"),
        "call_timeout_s": sandbox.get("call_timeout_s"),
    }


def measure(assignment: str, submissions: list[Path], modes: list[str], burners: int
            ) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-busy-") as tmp:
        for submission in submissions:
            for mode in modes:
                folder = Path(tmp) / f"{submission.name}-{mode}"
                folder.mkdir()
                with burning(burners if mode == "busy" else 0):
                    row = grade(assignment, submission, folder)
                rows.append({"submission": submission.name, "mode": mode, **row})
                print(line(rows[-1]), flush=True)
    return rows


def line(row: dict) -> str:
    if "error" in row:
        return f"{row['submission']:<24} {row['mode']:<5} no results.json: {row['error']}"
    lost = ", ".join(f"{n} ({why[:60]})" for n, why in row["lost"].items()) or "none"
    return (f"{row['submission']:<24} {row['mode']:<5} {row['wall_s']:7.1f} s  load "
            f"{row['load_before']:4.1f}->{row['load_after']:4.1f}  {row['score']:g}/"
            f"{row['max_score']:g}  lost: {lost}  regrade: {', '.join(row['regrade']) or 'none'}"
            f"  costliest call: {row['heaviest_call_cpu_s']} of {row['call_timeout_s']:g} "
            "CPU s per CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="mnist_nets")
    parser.add_argument("--submission", type=Path, action="append",
                        help="a submission folder (repeatable; default: the reference)")
    parser.add_argument("--modes", default="idle,busy")
    parser.add_argument("--burners", type=int, default=2 * len(os.sched_getaffinity(0)),
                        help="processes that keep the CPUs busy (default: twice the CPUs)")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args()
    submissions = args.submission or [ROOT / "solutions" / args.assignment]
    print(f"{args.assignment}: {len(os.sched_getaffinity(0))} CPUs; busy = {args.burners} "
          "processes computing without end")
    rows = measure(args.assignment, [s.resolve() for s in submissions],
                   args.modes.split(","), args.burners)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
