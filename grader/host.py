"""Facts about the machine the grader runs on, read where the kernel keeps them.

Its processes, from /proc, one way for every caller: who runs each (`real_uid`), which
are below a process or in a process group, how much CPU time they used and how much
memory they allocated. And what the machine offers a grading: CPUs, memory and GPUs,
hence how many gradings fit at once (`grader batch --jobs` defaults to `default_jobs`).

Standard library only, and no other grader module: the sandbox's watchdog, the judge's
results and a batch's scheduler all read these.
"""

from __future__ import annotations

import logging
import math
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("grader.batch")  # gpu_slots speaks in a batch's log

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MEMORY_PER_GRADING = 2.5 * 2**30  # judge + student worker + reference worker, CUDA wheels
ASSUMED_MEMORY = 8 * 2**30        # where no limit can be read


@dataclass(frozen=True)
class Process:
    """One process as /proc/PID/stat showed it. A pid is reused once its process is
    gone, so (pid, started) names one process."""

    pid: int
    ppid: int
    group: int      # its process group
    started: int    # clock ticks after boot
    cpu_s: float    # user and system time of all its threads, and of the children it waited for


def pids() -> list[int]:
    """Every process on the machine, by pid (some may be gone by the time they are read)."""
    return [int(entry.name) for entry in os.scandir("/proc") if entry.name.isdigit()]


def stat(pid: int) -> Process | None:
    """Process `pid` read from /proc/PID/stat; None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read()
        # The name in parentheses is the process's own choice, ")" included: the fields
        # that follow the last ")" are the kernel's, from field 3 (the state) on.
        fields = text[text.rindex(b")") + 2:].split()
        return Process(pid, ppid=int(fields[1]), group=int(fields[2]),
                       started=int(fields[19]),
                       cpu_s=sum(int(n) for n in fields[11:15]) / CLOCK_TICKS)  # u/s, cu/cs
    except (OSError, IndexError, ValueError):
        return None


def processes() -> list[Process]:
    """Every process on the machine, zombies included."""
    return [process for process in map(stat, pids()) if process is not None]


def in_group(group: int) -> list[int]:
    """The processes of process group `group`."""
    return [process.pid for process in processes() if process.group == group]


def descendants(pid: int) -> list[int]:
    """Every process below `pid`: its children, theirs, and so on."""
    children: dict[int, list[int]] = {}
    for process in processes():
        children.setdefault(process.ppid, []).append(process.pid)
    found, todo = [], list(children.get(pid, []))
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def cpu_times(pids: list[int]) -> dict[tuple[int, int], float]:
    """{(pid, start time): CPU seconds} of the processes `pids` still there."""
    return {(process.pid, process.started): process.cpu_s
            for process in map(stat, pids) if process is not None}


def allocated(pids: list[int]) -> int:
    """Resident memory the processes `pids` allocated themselves, in bytes.

    Resident minus shared pages: library files (torch's are 150 MB and more) are left
    out, since the kernel can reclaim them and the judge maps the same ones.
    """
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as f:
                resident, shared = (int(n) for n in f.read().split()[1:3])
                total += (resident - shared) * PAGE_BYTES
        except (OSError, IndexError, ValueError):
            continue
    return total


def processes_of(uid: int) -> list[int]:
    """Live (not zombie) processes whose real user is `uid`.

    Read from /proc/PID/status: unlike the owner of /proc/PID, it stays true for
    a process that made itself non-dumpable.
    """
    return [pid for pid in pids() if real_uid(pid) == uid]


def live_uids() -> set[int]:
    """The real users of every live process."""
    return {uid for uid in map(real_uid, pids()) if uid is not None}


def real_uid(pid: int) -> int | None:
    """The real user of process `pid`; None for a zombie or a process gone.

    The watchdog asks this of every process on the machine five times a second: the
    two fields are found without parsing the rest. Each is the last of its name, as
    only the first line (the process's name, which it chooses, escaped by the kernel)
    comes before them.
    """
    try:
        fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
    except OSError:  # exited meanwhile
        return None
    try:
        status = os.read(fd, 1 << 16)
    except OSError:
        return None
    finally:
        os.close(fd)
    state, uid = status.rfind(b"\nState:\t") + 8, status.rfind(b"\nUid:\t") + 6
    if state < 8 or uid < 6 or status[state:state + 1] in (b"Z", b"X", b""):
        return None
    return int(status[uid:status.index(b"\t", uid)])


def usable_cpus() -> int:
    """The CPUs this process and its children may run on: its affinity, capped by its
    cgroup's CPU quota (a container given 1.5 CPUs of a 16-core host may use 2)."""
    cpus = len(os.sched_getaffinity(0))
    quota = _cgroup_cpu_quota()
    return max(1, min(cpus, math.ceil(quota))) if quota else cpus


def _cgroup_cpu_quota() -> float | None:
    """CPUs' worth of time the cgroup may use (cgroup v2, else v1); None: no quota."""
    v1 = Path("/sys/fs/cgroup/cpu")
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
    except (OSError, ValueError):
        try:
            quota = (v1 / "cpu.cfs_quota_us").read_text().strip()
            period = (v1 / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            return None
    if quota in ("max", "-1") or not quota.isdigit() or not period.isdigit() or period == "0":
        return None
    return int(quota) / int(period)


def memory_limit() -> int | None:
    """The cgroup memory limit in bytes, else the machine's memory; None if unknown."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            return int(text)
    try:
        return PAGE_BYTES * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return None


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
