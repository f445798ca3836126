"""Benchmark: what the sandbox costs, same run.

- ``grading``: `grader grade` on an assignment's reference solution, sandboxed vs
  in-process (`--no-sandbox`), whole commands timed, interleaved, median reported;
- ``round trip``: one call into a sandboxed worker that echoes its argument, for a
  small tensor and a 10 MB tensor (encode, pipe both ways, decode), median of many.

Usage: python bench/bench_sandbox.py [--assignment mnist_nets] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ECHO = "def echo(x):\n    return x\n"


def grading_seconds(assignment: str, submission: Path, sandbox: bool, out: Path) -> float:
    command = [sys.executable, "-m", "grader.cli", "grade", assignment, str(submission),
               "--device", "cpu", "-o", str(out), *([] if sandbox else ["--no-sandbox"])]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def grading(assignment: str, repeats: int) -> None:
    from grader.judge import config

    reference = config.resolve(assignment).reference
    samples: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            for sandbox in (True, False) if i % 2 == 0 else (False, True):
                samples[sandbox].append(
                    grading_seconds(assignment, reference, sandbox, Path(tmp) / "r.json"))
    boxed, plain = statistics.median(samples[True]), statistics.median(samples[False])
    print(f"grading {assignment} reference: sandbox {boxed:.1f} s, in-process {plain:.1f} s, "
          f"ratio {boxed / plain:.2f}x (median of {repeats})")


def round_trips(calls: int) -> None:
    import torch

    from grader.judge.client import Proxy
    from grader.judge.config import Assignment
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
    args = parser.parse_args()
    round_trips(args.calls)
    grading(args.assignment, args.repeats)


if __name__ == "__main__":
    main()
