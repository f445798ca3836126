"""Benchmark: grading under Gradescope's default limits, 768 MB of memory and one CPU.

Grades an assignment's reference as run_autograder does (`grader grade`,
sandboxed, on the CPU) with the whole process tree pinned to one CPU (as
`taskset -c 0`) and inside a memory cgroup made for the run: cgroup v2
`memory.max` where this machine delegates the memory controller, else the v1
controller's `memory.limit_in_bytes`; swap is not allowed. Without either, the
limit is not enforced and only the sampled figures below are reported.

Reports the wall time and the score; the cgroup's peak (it counts page cache
too, which the kernel reclaims near the limit, so it says little by itself)
and OOM kills; and, sampled every 0.1 s over the judge and its workers, the
peak of the summed anonymous memory (what cannot be reclaimed) and of the
summed PSS (shared library pages counted once). Headroom is the limit minus
the peak anonymous memory. Gradescope's worker watchdog would be 60% of the
limit, on the memory a worker allocated (anonymous), so each process's peak
anonymous memory is shown beside its RSS.

Usage: python bench/bench_memory.py [ASSIGNMENT] [--python PATH] [--limit-mb 768] [--cpus 1]
(`--python` grades with another environment's interpreter, e.g. one with CPU-only torch.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_grading import children

ROOT = Path(__file__).resolve().parents[1]
V2, V1 = Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/memory")
MB = 2**20


class MemoryCgroup:
    """A memory cgroup of its own for one run: v2 where delegated, else v1."""

    def __init__(self, path: Path, files: dict[str, str]):
        self.path, self.files = path, files

    @classmethod
    def make(cls, limit: int) -> MemoryCgroup | None:
        name = f"grader-bench-{os.getpid()}"
        if "memory" in _read(V2 / "cgroup.subtree_control").split():
            group = cls(V2 / name, {"limit": "memory.max", "swap": "memory.swap.max",
                                    "peak": "memory.peak", "events": "memory.events"})
        elif (V1 / "memory.limit_in_bytes").exists():
            group = cls(V1 / name, {"limit": "memory.limit_in_bytes",
                                    "swap": "memory.memsw.limit_in_bytes",
                                    "peak": "memory.max_usage_in_bytes",
                                    "events": "memory.oom_control"})
        else:
            return None
        try:
            group.path.mkdir()
            (group.path / group.files["limit"]).write_text(str(limit))
        except OSError:
            return None
        try:  # v2: no swap at all; v1: memory+swap capped at the same limit
            (group.path / group.files["swap"]).write_text("0" if group.version == 2
                                                          else str(limit))
        except OSError:
            pass  # no swap accounting on this kernel (and no swap to use)
        return group

    @property
    def version(self) -> int:
        return 2 if self.files["limit"] == "memory.max" else 1

    def enter(self) -> None:
        """Move the calling process (a child about to exec the grader) into the group."""
        (self.path / "cgroup.procs").write_text("0")

    def peak(self) -> int:
        return int(_read(self.path / self.files["peak"]) or 0)

    def oom_kills(self) -> int:
        fields = dict(line.split() for line in _read(self.path / self.files["events"])
                      .splitlines() if len(line.split()) == 2)
        return int(fields.get("oom_kill", 0))

    def remove(self) -> None:
        for _ in range(50):  # processes killed at the limit may still be leaving it
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)
        print(f"could not remove {self.path}: processes are still in it")


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def sample(pid: int) -> tuple[int, int, int] | None:
    """(PSS, anonymous RSS, RSS) of one process in kB."""
    rollup, status = _read(Path(f"/proc/{pid}/smaps_rollup")), _read(Path(f"/proc/{pid}/status"))
    if not rollup or not status:
        return None
    fields = {k: v for k, _, v in (line.partition(":") for line in
                                   (rollup + "\n" + status).splitlines())}
    return tuple(int(fields.get(key, "0 kB").split()[0]) for key in ("Pss", "RssAnon", "VmRSS"))


def command_name(pid: int) -> str:
    words = _read(Path(f"/proc/{pid}/cmdline")).split("\0")
    return next((w for w in words if w.startswith("grader.")), " ".join(words[:3]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="mnist_nets")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--limit-mb", type=int, default=768)
    parser.add_argument("--cpus", type=int, default=1)
    args = parser.parse_args()
    cpus = set(sorted(os.sched_getaffinity(0))[:args.cpus])
    group = MemoryCgroup.make(args.limit_mb * MB)

    def confine() -> None:  # in the child, before the grader starts
        os.sched_setaffinity(0, cpus)
        if group:
            group.enter()

    totals = [0, 0]  # peak of the sums over the tree at one instant: PSS, anon
    processes: dict[int, list] = {}  # pid -> [name, peak RSS, peak anonymous]
    with tempfile.TemporaryDirectory() as tmp:
        command = [args.python, "-m", "grader.cli", "grade", args.assignment,
                   str(ROOT / "solutions" / args.assignment), "-o", f"{tmp}/results.json",
                   "--device", "cpu"]
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True,
                                   preexec_fn=confine)  # noqa: PLW1509 - no threads here
        while process.poll() is None:
            now = [0, 0]
            for pid in children(process.pid):
                found = sample(pid)
                if found:
                    now = [now[0] + found[0], now[1] + found[1]]
                    peak = processes.setdefault(pid, ["", 0, 0])
                    peak[0] = command_name(pid) or peak[0]  # the launcher execs the worker
                    peak[1], peak[2] = max(peak[1], found[2]), max(peak[2], found[1])
            totals = [max(t, n) for t, n in zip(totals, now)]
            time.sleep(0.1)
        wall = time.perf_counter() - start
        output = process.stdout.read().splitlines()
    score = next((line for line in reversed(output) if line.startswith("Score")),
                 f"no score: the grader ended with status {process.returncode}")
    torch = subprocess.run([args.python, "-c", "import torch; print(torch.__version__)"],
                           capture_output=True, text=True, check=False).stdout.strip()
    limit = args.limit_mb
    print(f"{args.assignment}: {wall:.1f} s wall on {len(cpus)} CPU(s) {sorted(cpus)}; {score}")
    print(f"torch {torch} ({'CPU-only' if '+cpu' in torch else 'default CUDA'} wheels), "
          f"{args.python}")
    if group:
        print(f"memory cgroup v{group.version}, limit {limit} MB, no swap: peak {group.peak() / MB:.0f}"
              f" MB (page cache included), OOM kills: {group.oom_kills()}")
        group.remove()
    else:
        print(f"no memory cgroup could be made here: the {limit} MB limit was not enforced")
    anon, pss = totals[1] / 1024, totals[0] / 1024
    print(f"process tree: peak anonymous memory {anon:.0f} MB, peak PSS {pss:.0f} MB; "
          f"headroom {limit - anon:.0f} MB ({(limit - anon) / limit:.0%}) under {limit} MB")
    for name, rss, anon in sorted(processes.values(), key=lambda p: -p[1]):
        if rss > 50_000:
            print(f"  peak RSS {rss / 1024:5.0f} MB, anonymous {anon / 1024:5.0f} MB  {name}")
    print(f"  (under a {limit} MB limit the watchdog stops a worker past {0.6 * limit:.0f} MB "
          "of anonymous memory)")


if __name__ == "__main__":
    main()
