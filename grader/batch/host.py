"""What the machine running a batch offers it: CPUs, memory and GPUs, and how many
gradings at once those allow (`grader batch --jobs` defaults to it)."""

from __future__ import annotations

import logging
import math
import os
import subprocess

from grader.judge.results import memory_limit

log = logging.getLogger("grader.batch")

MEMORY_PER_GRADING = 2.5 * 2**30  # judge + student worker + reference worker, CUDA wheels
ASSUMED_MEMORY = 8 * 2**30        # where no limit can be read


def memory() -> float:
    """The memory this process may use: its cgroup's limit or the machine's, else 8 GiB."""
    return memory_limit() or ASSUMED_MEMORY


def default_jobs() -> int:
    """As many gradings at once as there are CPUs, and memory for each."""
    cpus = len(os.sched_getaffinity(0))
    return max(1, min(cpus, int(memory() // MEMORY_PER_GRADING)))


def visible_gpus() -> list[str]:
    """The GPUs this process may use: CUDA_VISIBLE_DEVICES if set, else what nvidia-smi lists."""
    if "CUDA_VISIBLE_DEVICES" in os.environ:
        return [g.strip() for g in os.environ["CUDA_VISIBLE_DEVICES"].split(",") if g.strip()]
    try:
        listed = subprocess.run(["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
                                capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return listed.stdout.split() if listed.returncode == 0 else []


def gpu_slots(jobs: int, device: str) -> list[str | None]:
    """The GPU each concurrent grading slot uses, shared out round-robin (None: no GPU)."""
    gpus = [] if device == "cpu" else visible_gpus()
    if not gpus:
        return [None] * jobs
    if jobs > len(gpus):
        log.warning("%d gradings at a time share %d GPU(s): up to %d trainings may run on one "
                    "GPU at once. Each grading sees only the GPU it was given.",
                    jobs, len(gpus), math.ceil(jobs / len(gpus)))
    else:
        log.info("Each grading has a GPU of its own (%s).", ", ".join(gpus[:jobs]))
    return [gpus[slot % len(gpus)] for slot in range(jobs)]
