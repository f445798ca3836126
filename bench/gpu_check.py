"""The GPU path in one command (`make gpu-check`): what a machine with CUDA must prove.

On a machine with a CUDA device, for every assignment of the repository:

1. `grader calibrate NAME --device cuda` (20 seeds): writes `[thresholds.cuda]` into
   its assignment.toml and `docs/calibration/NAME-cuda.md`, or records why it refused;
2. the reference graded on `--device cuda` and on `--device cpu`, one after the other,
   in the sandbox: score and wall time of each, and their ratio;
then the framework's CUDA tests (tests/*/test_cuda.py), and `docs/gpu.md`: a line
naming the GPU, torch, CUDA, Python and the CPU count; a table of every step (status,
seconds, its last lines of output); a table per assignment of the reference's score and
wall time on cuda and on cpu, and their ratio.

Each step has its own time limit; the CPU gradings run beside the GPU steps (the GPU
machine's cores are otherwise idle), so the whole run stays within 8 minutes on one GPU.
A step that times out or fails is recorded as such and the run goes on. Commit what it
wrote.

Without CUDA (CI, a laptop) it measures nothing: `--dry-run` (the default there) prints
the plan, says why, writes nothing unless `-o` names a file, and exits 0.

Usage: python bench/gpu_check.py [--dry-run] [-o docs/gpu.md] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
GRADER = [sys.executable, "-m", "grader.cli"]
# Seconds per step: the GPU steps in turn (3 x (90 + 45) + 60 = 465 s), the CPU gradings
# beside them (3 x 150 s).
LIMITS_S = {"calibrate": 90, "cuda": 45, "cpu": 150, "tests": 60}


@dataclass
class Step:
    """One command of the check: what it is, and how it went."""

    name: str
    command: list[str]
    limit_s: int
    status: str = "planned"     # planned, passed, failed (exit N), timed out
    seconds: float = 0.0
    detail: str = ""

    def run(self) -> None:
        start = time.monotonic()
        try:
            done = subprocess.run(self.command, cwd=ROOT, capture_output=True, text=True,
                                  timeout=self.limit_s, check=False)
        except subprocess.TimeoutExpired:
            self.status = f"timed out after {self.limit_s} s"
        else:
            self.status = "passed" if done.returncode == 0 else f"failed (exit {done.returncode})"
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            self.detail = " / ".join(tail)
        self.seconds = time.monotonic() - start


def run_all(steps: list[Step]) -> None:
    for step in steps:
        print(f"gpu-check: {step.name} ...", flush=True)
        step.run()
        print(f"gpu-check: {step.name}: {step.status} in {step.seconds:.1f} s {step.detail}",
              flush=True)


def assignments(only: list[str]) -> list[str]:
    names = sorted(p.parent.name for p in (ROOT / "assignments").glob("*/assignment.toml"))
    return [n for n in names if not only or n in only]


def plan(names: list[str], results: Path) -> list[Step]:
    steps = []
    for name in names:
        steps.append(Step(f"{name}: calibrate cuda", [
            *GRADER, "calibrate", name, "--device", "cuda",
            "-o", str(ROOT / "docs" / "calibration" / f"{name}-cuda.md")], LIMITS_S["calibrate"]))
        for device in ("cuda", "cpu"):
            steps.append(Step(f"{name}: grade reference on {device}", [
                *GRADER, "grade", name, str(ROOT / "solutions" / name), "--device", device,
                "-o", str(results / f"{name}-{device}.json")], LIMITS_S[device]))
    cuda_tests = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("tests/*/test_cuda.py"))
    steps.append(Step("CUDA tests", [sys.executable, "-m", "pytest", "-q", *cuda_tests],
                      LIMITS_S["tests"]))
    return steps


def score(results: Path, name: str, device: str) -> str:
    try:
        document = json.loads((results / f"{name}-{device}.json").read_text())
    except (OSError, ValueError):
        return "no results.json"
    total = sum(t["max_score"] for t in document["tests"])
    return f"{document['score']:g}/{total:g}"


def report(steps: list[Step], names: list[str], results: Path) -> str:
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device"
    lines = [
        "# The GPU check", "",
        (f"`make gpu-check` on {datetime.now(UTC):%Y-%m-%d}: {device}, torch "
         f"{torch.__version__} (CUDA {torch.version.cuda}), Python {platform.python_version()}, "
         f"{len(os.sched_getaffinity(0))} CPU cores. The CPU gradings ran beside the GPU "
         "steps."), "",
        "| step | status | seconds | last lines |", "|---|---|---|---|"]
    lines += [f"| {s.name} | {s.status} | {s.seconds:.1f} | {s.detail.replace('|', '/')} |"
              for s in steps]
    lines += ["", "| assignment | cuda score | cuda s | cpu score | cpu s | cpu / cuda |",
              "|---|---|---|---|---|---|"]
    for name in names:
        by = {s.name.rsplit(" ", 1)[1]: s for s in steps
              if s.name.startswith(f"{name}: grade reference on ")}
        ratio = by["cpu"].seconds / by["cuda"].seconds if by["cuda"].seconds else 0
        lines.append(f"| {name} | {score(results, name, 'cuda')} | {by['cuda'].seconds:.1f} | "
                     f"{score(results, name, 'cpu')} | {by['cpu'].seconds:.1f} | {ratio:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan and measure nothing (the default without CUDA)")
    parser.add_argument("-o", "--output", type=Path, help="the report (default docs/gpu.md "
                        "when measuring, none on a dry run)")
    parser.add_argument("--only", nargs="*", default=[], metavar="NAME",
                        help="these assignments only")
    args = parser.parse_args()
    names = assignments(args.only)
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as scratch:
        steps = plan(names, Path(scratch))
        if args.dry_run or not torch.cuda.is_available():
            why = "asked for a dry run" if args.dry_run else \
                "no CUDA device here: nothing was measured (CI never has one)"
            print(f"gpu-check: {why}. The plan:")
            for step in steps:
                print(f"  {step.name} (at most {step.limit_s} s): {' '.join(step.command[2:])}")
            if args.output:
                args.output.write_text(report(steps, names, Path(scratch)))
            return 0
        on_cpu = [s for s in steps if s.name.endswith(" on cpu")]
        beside = threading.Thread(target=run_all, args=(on_cpu,))
        beside.start()
        run_all([s for s in steps if s not in on_cpu])
        beside.join()
        output = args.output or ROOT / "docs" / "gpu.md"
        output.write_text(report(steps, names, Path(scratch)))
        print(f"gpu-check: wrote {output}")
    return 0 if all(s.status == "passed" for s in steps) else 1


if __name__ == "__main__":
    sys.exit(main())
