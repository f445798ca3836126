"""The launcher: trusted, single-threaded code between the judge and the worker.

`python -I -m grader.sandbox.launch POLICY_JSON` runs as the judge's user. It
applies the policy (namespaces, hidden folders, limits, user switch) to itself
and then replaces itself with `python -I -m grader.worker`. Doing this
here instead of in a `preexec_fn` keeps it out of the judge's multi-threaded
process. Every protection is tried and what really took effect is handed to the
worker (`--applied`), which reports it to the judge before any student code runs.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
from pathlib import Path

CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 0x1, 0x2, 0x4, 0x20
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
PR_SET_NO_NEW_PRIVS = 38
WRITABLE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    encode = (lambda s: s.encode() if s is not None else None)
    _check(_libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)),
           f"mount {target}")


def _covered(path: str, covers: list[str]) -> bool:
    return any(Path(path).is_relative_to(c) for c in covers)


def _cover(path: str, size: str = "16k", mode: str = "0755") -> None:
    """Hide `path` behind an empty folder (or an empty file)."""
    if os.path.isdir(path):
        _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode},size={size}")
    else:
        _mount("/dev/null", path, None, MS_BIND)


def _bind(fd: int, path: str, *, read_only: bool) -> None:
    os.makedirs(path, exist_ok=True)
    _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
    if read_only:
        _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def isolate(policy: dict, applied: dict) -> None:
    """New mount and network namespaces; secrets covered, the rest read-only."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    applied["network"] = "isolated (empty network namespace)"
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing below propagates to the host
    # Handles on what stays visible, taken before anything is covered.
    keep = {p: os.open(p, os.O_PATH) for p in [*policy["keep"], policy["scratch"]]}
    # A path inside /tmp (a checkout there, say) vanishes with the private /tmp below.
    hide = [p for p in policy["hide"] if not _covered(p, [h for h in policy["hide"] if h != p])
            and not _covered(p, WRITABLE_TMP)]
    for path in hide:
        _cover(path)
    tmp_size = f"{policy['limits']['tmp_mb']}m"
    for path in WRITABLE_TMP:
        _cover(path, tmp_size, "1777")
    for path, fd in sorted(keep.items()):
        _bind(fd, path, read_only=path != policy["scratch"])
        os.close(fd)
    for path in policy["secrets"]:
        if os.path.lexists(path):  # else it was under a folder covered above
            _cover(path)
    for path in hide:
        if os.path.isdir(path):
            _mount(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    applied["hidden"] = sorted({*policy["hide"], *policy["secrets"]})  # /tmp ones: by the tmpfs
    applied["read_only"] = sorted(policy["keep"])
    applied["private_tmp_mb"] = policy["limits"]["tmp_mb"]


def limit(policy: dict, applied: dict) -> None:
    """rlimits, no core dumps, no privilege gain through setuid binaries."""
    limits = policy["limits"]
    chosen = {"RLIMIT_CORE": 0, "RLIMIT_FSIZE": limits["file_size_mb"] * 2**20,
              "RLIMIT_NOFILE": limits["open_files"]}
    if policy["uid"] is not None:  # counted per user: only meaningful for a user of its own
        chosen["RLIMIT_NPROC"] = limits["processes"]
    for name, value in chosen.items():
        resource.setrlimit(getattr(resource, name), (value, value))
    applied["rlimits"] = {name.removeprefix("RLIMIT_").lower(): v for name, v in chosen.items()}
    # Writing past RLIMIT_FSIZE fails with EFBIG instead of killing the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    applied["no_new_privileges"] = True


def drop_privileges(policy: dict, applied: dict) -> None:
    os.setgroups([])
    os.setgid(policy["gid"])
    os.setuid(policy["uid"])
    applied["uid"] = os.getuid()


def main(argv: list[str]) -> None:
    policy = json.loads(argv[0])
    applied: dict = {}
    if policy["isolate"]:
        try:
            isolate(policy, applied)
        except OSError as exc:
            applied["isolation_error"] = str(exc)
    limit(policy, applied)
    if policy["uid"] is not None:
        drop_privileges(policy, applied)
    os.chdir(policy["scratch"])
    args = [policy["python"], "-I", "-m", "grader.worker", *policy["worker_args"],
            "--applied", json.dumps(applied)]
    os.execve(policy["python"], args, policy["env"])


if __name__ == "__main__":
    main(sys.argv[1:])
