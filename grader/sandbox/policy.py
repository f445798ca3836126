"""What a worker may see and use: decided by the judge, applied by `launch`.

`plan()` turns an assignment and the judge's situation (root or not) into a
`Policy`, the JSON-able instructions for the launcher. What the launcher really
managed to apply comes back from it and ends up in results.json's extra_data.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

import grader
from grader import host
from grader.assignment import PACKAGE_ROOT, Assignment, loading
from grader.toolkit import secret as course_secret

GRADER_DIR = Path(grader.__file__).resolve().parent
# Data the worker must never read even though it sits inside the grader package.
EMBEDDED_DATA = Path("toolkit") / "datasets" / "embedded"  # held-out labels ship inside the package
# Folders of the judge's machine that may hold hidden files, keys or caches.
PRIVATE_FOLDERS = ["/autograder", "/root", "/home", "/srv", "/mnt", "/media"]
# Environment passed to the worker: nothing secret, only what torch and BLAS need.
ENV_PASSED = ("CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "OMP_NUM_THREADS", "OMP_WAIT_POLICY",
              "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "LANG", "LC_ALL", "TZ")


@dataclass
class Limits:
    """Resource limits of one worker (assignment.toml `[grading.worker]` overrides them)."""

    processes: int = 256        # RLIMIT_NPROC of the worker's user: threads count too
    file_size_mb: int = 256     # RLIMIT_FSIZE: the largest file it can write
    open_files: int = 1024      # RLIMIT_NOFILE
    tmp_mb: int = 512           # the private tmpfs behind the scratch and world-writable folders
    memory_mb: int = 0          # watchdog on allocated memory; 0: 60% of the machine's (or cgroup's)

    @classmethod
    def of(cls, assignment: Assignment, memory_mb: int | None = None) -> Limits:
        table = assignment.config.get("grading", {}).get("worker", {})
        limits = cls(**{k: int(v) for k, v in table.items() if k in cls.__dataclass_fields__})
        limits.memory_mb = memory_mb or limits.memory_mb
        if not limits.memory_mb:
            limits.memory_mb = int(host.memory() * 0.6) // 2**20
        return limits


@dataclass
class Policy:
    """Instructions for `grader.sandbox.launch` (sent to it as JSON)."""

    scratch: str                      # the worker's working directory, a copy of the submission
    worker_args: list[str]            # argv of the worker after the interpreter
    uid: int | None = None            # switch to this user (the judge is root)
    gid: int | None = None
    isolate: bool = False             # new mount, network and IPC namespaces
    hide: list[str] = field(default_factory=list)       # covered by empty read-only folders
    keep: list[str] = field(default_factory=list)       # visible (read-only) inside hidden ones
    secrets: list[str] = field(default_factory=list)    # hidden again inside kept folders
    writable: list[str] = field(default_factory=list)   # world-writable: private when isolated
    limits: Limits = field(default_factory=Limits)
    python: str = sys.executable
    env: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


def hidden_paths(assignment: Assignment, private: list[Path]) -> list[str]:
    """Everything secret: tests, solutions, golden data, labels, results, metadata, the
    course's grading secret and, wherever the course repository lies, the folder of its
    assignments (unless it also holds what the worker runs: then only the secret)."""
    course = assignment.root.resolve().parent
    candidates = [assignment.root, assignment.reference, course_secret.path_for(assignment.root),
                  loading.assignments_dir(), *private, *map(Path, PRIVATE_FOLDERS)]
    if not any(Path(k).is_relative_to(course) for k in kept_paths()):
        candidates.append(course)
    data_root = os.environ.get("GRADER_DATA_ROOT")
    if data_root:
        candidates.append(Path(data_root))
    if (PACKAGE_ROOT / "pyproject.toml").is_file():  # a source checkout
        candidates.append(PACKAGE_ROOT)
    kept = kept_paths()
    paths = {str(Path(p).resolve()) for p in candidates if p is not None}
    # Never hide what the worker needs to run (a folder equal to or inside a kept one).
    return sorted(p for p in paths if os.path.exists(p)
                  and not any(Path(p).is_relative_to(k) for k in kept))


def grader_secrets() -> list[str]:
    """Inside every copy of the grader package the worker can see: the embedded data."""
    copies = {GRADER_DIR, *map(Path, _editable_grader())}
    return sorted(str(c / EMBEDDED_DATA) for c in copies if (c / EMBEDDED_DATA).exists())


def kept_paths() -> list[str]:
    """The interpreter, its packages and the grader package: all the worker needs."""
    paths = {sys.base_prefix, sys.prefix, str(GRADER_DIR), *_editable_grader()}
    return sorted(str(Path(p).resolve()) for p in paths)


def _editable_grader() -> list[str]:
    """Where `python -I` finds `grader` when it is installed editable from a checkout.

    The judge may have imported another copy (an unpacked autograder's source/).
    """
    try:
        direct = json.loads(importlib.metadata.distribution("grader").read_text(
            "direct_url.json") or "{}")
    except importlib.metadata.PackageNotFoundError:
        return []
    if not direct.get("dir_info", {}).get("editable"):
        return []
    folder = Path(urllib.parse.urlparse(direct["url"]).path) / "grader"
    return [str(folder)] if folder.is_dir() else []


def worker_env(scratch: str) -> dict:
    # torch's OpenMP threads sleep when they wait, not spin: on a busy machine a spinning
    # thread holds a CPU its siblings need (a training step took 2.7x as long) and its
    # spin counts as the call's CPU time (grader.sandbox.process). The host's setting wins.
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch, "TMPDIR": "/tmp",
           "OMP_WAIT_POLICY": "PASSIVE"}
    env.update({k: os.environ[k] for k in ENV_PASSED if k in os.environ})
    return env
