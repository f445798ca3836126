"""Benchmark: what the sandbox costs, same run.

- ``grading``: `grader grade` on an assignment's reference solution, sandboxed vs
  in-process (`--no-sandbox`), whole commands timed, interleaved, median reported;
  with `--cold`, also sandboxed with every worker started cold (`GRADER_WORKER_START=cold`:
  each imports torch itself instead of being forked by the judge's zygote);
- ``round trip``: one call into a sandboxed worker that echoes its argument, for a
  small tensor and a 10 MB tensor (encode, pipe both ways, decode), median of many.

Usage: python bench/bench_sandbox.py [--assignment mnist_nets] [--repeats 3] [--cold]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ECHO = "def echo(x):\n    return x\n"
# How each kind of grading runs: `grader grade` options and the worker start it asks for.
KINDS = {"sandbox": ([], "warm"), "sandbox, cold workers": ([], "cold"),
         "in-process": (["--no-sandbox"], "warm")}


def grading_seconds(assignment: str, submission: Path, kind: str, out: Path) -> float:
    options, start = KINDS[kind]
    command = [sys.executable, "-m", "grader.cli", "grade", assignment, str(submission),
               "--device", "cpu", "-o", str(out), *options]
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT,
                   env={**os.environ, "GRADER_WORKER_START": start})
    return time.perf_counter() - began


def grading(assignment: str, repeats: int, cold: bool) -> None:
    from grader.assignment import loading

    reference = loading.resolve(assignment).reference
    kinds = [k for k in KINDS if cold or k != "sandbox, cold workers"]
    samples: dict[str, list[float]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            for kind in kinds[i % len(kinds):] + kinds[:i % len(kinds)]:  # each order in turn
                samples[kind].append(
                    grading_seconds(assignment, reference, kind, Path(tmp) / "r.json"))
    plain = statistics.median(samples["in-process"])
    for kind in kinds[:-1]:
        boxed = statistics.median(samples[kind])
        print(f"grading {assignment} reference: {kind} {boxed:.1f} s, in-process "
              f"{plain:.1f} s, ratio {boxed / plain:.2f}x (median of {repeats}; all: "
              f"{', '.join(f'{s:.1f}' for s in samples[kind])} vs "
              f"{', '.join(f'{s:.1f}' for s in samples['in-process'])})")


def round_trips(calls: int) -> None:
    import torch

    from grader.assignment import Assignment
    from grader.judge.client import Proxy
    from grader.sandbox import SandboxBackend

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "echo.py").write_text(ECHO)
        assignment = Assignment(root=Path(tmp), name="echo", title="echo", files=("echo.py",))
        submission = Proxy(SandboxBackend(tmp, ["echo"], assignment=assignment), ["echo"])
        try:
            echo = submission.echo.echo  # a handle: each timed call is one round trip
            for label, value in (("small tensor (4 floats)", torch.ones(4)),
                                 ("10 MB tensor", torch.ones(10 * 2**20 // 4))):
                echo(value)  # warm-up (and the worker's start)
                samples = []
                for _ in range(calls):
                    start = time.perf_counter()
                    echo(value)
                    samples.append(time.perf_counter() - start)
                print(f"round trip, {label}: {statistics.median(samples) * 1000:.2f} ms "
                      f"(median of {calls})")
        finally:
            submission.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="mnist_nets")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--cold", action="store_true",
                        help="also grade sandboxed with every worker started cold")
    args = parser.parse_args()
    round_trips(args.calls)
    grading(args.assignment, args.repeats, args.cold)


if __name__ == "__main__":
    main()
