"""The launcher: trusted, single-threaded code between the judge and the worker.

`python -I -m grader.sandbox.launch POLICY_JSON` runs as the judge's user. It
applies the policy (namespaces, hidden folders, limits, user switch) to itself
and then replaces itself with `python -I -m grader.worker`. Doing this
here instead of in a `preexec_fn` keeps it out of the judge's multi-threaded
process. Every protection is tried and what really took effect is handed to the
worker (`--applied`), which reports it to the judge before any student code runs.
A worker forked by the judge's zygote (`grader.sandbox.zygote`) applies the same
`apply` to itself and runs the worker in-process instead of the `execve`.

Nothing the worker writes outlives it: in its mount namespace the whole host is
read-only, and its scratch (a fresh copy of the staged submission, also its HOME)
and every world-writable folder of the host are folders of one private tmpfs, capped
at `tmp_mb`, that ends with the worker. Its SysV IPC objects end with its IPC
namespace, and a seccomp filter keeps it from the kernel keyrings, which belong to
its user rather than to any namespace.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import resource
import signal
import stat
import struct
import sys
from pathlib import Path

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWIPC = 0x00020000, 0x40000000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 0x1, 0x2, 0x4, 0x8, 0x20
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
KERNEL_WRITES = "/proc"  # each process's own settings (oom_score_adj, comm): left writable
# The calls that make, find and read keys, by seccomp's architecture (audit) number: a
# 64-bit process can also make the 32-bit calls (x86: int 0x80) and x32 ones.
KEY_CALLS = {
    "x86_64": {0xC000003E: (248, 249, 250, 0x40000000 | 248, 0x40000000 | 249,
                            0x40000000 | 250),
               0x40000003: (286, 287, 288)},                    # i386
    "aarch64": {0xC00000B7: (217, 218, 219), 0x40000028: (309, 310, 311)},  # and arm
}
BPF_LD_ABS, BPF_JEQ, BPF_RET = 0x20, 0x15, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    encode = (lambda s: s.encode() if s is not None else None)
    _check(_libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)),
           f"mount {target}")


def _covered(path: str, covers: list[str]) -> bool:
    return any(Path(path).is_relative_to(c) for c in covers)


def _cover(path: str) -> None:
    """Hide `path` behind an empty folder (or an empty file)."""
    if os.path.isdir(path):
        _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16k")
    else:
        _mount("/dev/null", path, None, MS_BIND)


def _bind_read_only(fd: int, path: str) -> None:
    os.makedirs(path, exist_ok=True)
    _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
    _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _mount_points() -> list[tuple[int, str]]:
    """(mount id, mount point) of every mount of this namespace."""
    with open("/proc/self/mountinfo", "rb") as f:
        return [(int(fields[0]), _unescape(fields[4])) for fields in map(bytes.split, f)]


def _unescape(field: bytes) -> str:
    """A mount point as mountinfo writes it: spaces, tabs, newlines, backslashes as \\ooo."""
    return os.fsdecode(re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), field))


def _read_only_everywhere() -> None:
    """Every mount the worker could reach made read-only, but /proc; nosuid etc. kept."""
    for mount_id, target in _mount_points():
        if _covered(target, [KERNEL_WRITES]):
            continue
        try:
            fd = os.open(target, os.O_PATH | os.O_NOFOLLOW)
        except OSError:  # under another mount that hides it
            continue
        try:
            with open(f"/proc/self/fdinfo/{fd}") as f:
                on_top = dict(line.split(":", 1) for line in f)["mnt_id"].strip()
            if int(on_top) != mount_id:  # covered by another mount at the same place
                continue
            kept = os.fstatvfs(fd).f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC)  # ST_ == MS_
            _mount(None, f"/proc/self/fd/{fd}", None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept)
        finally:
            os.close(fd)


def _private_scratch(policy: dict, staged: int, writable: list[str]) -> None:
    """One tmpfs of `tmp_mb` behind the scratch and every world-writable folder.

    The tmpfs is mounted on the scratch first, each place gets a folder in it, and each
    folder is bound over its place; the scratch goes last, as it may lie in one of them.
    """
    scratch = policy["scratch"]
    os.makedirs(scratch, exist_ok=True)  # in a folder covered above (a judge's TMPDIR in /root)
    _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV,
           f"mode=0700,size={policy['limits']['tmp_mb']}m")
    places = {path: os.path.join(scratch, str(n)) for n, path in enumerate(writable)}
    for folder in places.values():
        os.mkdir(folder)
        os.chmod(folder, 0o1777)
    own = os.path.join(scratch, "scratch")
    os.mkdir(own, 0o700)
    _copy_files(staged, own)
    if policy["uid"] is not None:
        for name in [".", *os.listdir(own)]:
            os.chown(os.path.join(own, name), policy["uid"], policy["gid"])
    places[scratch] = own
    # Handles first: binding a place may hide the tmpfs (the scratch inside /tmp).
    handles = {target: os.open(folder, os.O_PATH) for target, folder in places.items()}
    for target, fd in handles.items():
        os.makedirs(target, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND)
        os.close(fd)


def _copy_files(source: int, target: str) -> None:
    """The regular files of folder `source` (an fd) into `target`."""
    for name in os.listdir(source):
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=source)
        with open(fd, "rb") as f:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                Path(target, name).write_bytes(f.read())


def isolate(policy: dict, applied: dict) -> None:
    """New mount, network and IPC namespaces: the host read-only, secrets covered, and
    one private, size-capped scratch."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC), "unshare")
    applied["network"] = "isolated (empty network namespace)"
    applied["ipc"] = "isolated (IPC namespace: its SysV objects end with it)"
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing below propagates to the host
    # Handles on what stays visible, taken before anything is covered.
    keep = {p: os.open(p, os.O_PATH) for p in policy["keep"]}
    staged = os.open(policy["scratch"], os.O_RDONLY | os.O_DIRECTORY)
    _read_only_everywhere()
    writable = [p for p in policy["writable"]
                if not _covered(p, [*policy["hide"], *policy["keep"]])]
    # A path inside /tmp (a checkout there, say) vanishes with the private /tmp below.
    hide = [p for p in policy["hide"] if not _covered(p, [h for h in policy["hide"] if h != p])
            and not _covered(p, writable)]
    for path in hide:
        _cover(path)
    _private_scratch(policy, staged, writable)
    os.close(staged)
    for path, fd in sorted(keep.items()):
        _bind_read_only(fd, path)
        os.close(fd)
    for path in policy["secrets"]:
        if os.path.lexists(path):  # else it was under a folder covered above
            _cover(path)
    for path in hide:
        if os.path.isdir(path):
            _mount(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    applied["hidden"] = sorted({*policy["hide"], *policy["secrets"]})  # /tmp ones: by the tmpfs
    applied["kept"] = sorted(policy["keep"])
    applied["writable"] = sorted([policy["scratch"], *writable])
    applied["private_scratch_mb"] = policy["limits"]["tmp_mb"]


def limit(policy: dict, applied: dict) -> None:
    """rlimits, no core dumps, no privilege gain through setuid binaries."""
    limits = policy["limits"]
    chosen = {"RLIMIT_CORE": 0, "RLIMIT_FSIZE": limits["file_size_mb"] * 2**20,
              "RLIMIT_NOFILE": limits["open_files"],
              "RLIMIT_MSGQUEUE": 0}  # a POSIX message queue would outlive it without a namespace
    if policy["uid"] is not None:  # counted per user: only meaningful for a user of its own
        chosen["RLIMIT_NPROC"] = limits["processes"]
    for name, value in chosen.items():
        resource.setrlimit(getattr(resource, name), (value, value))
    applied["rlimits"] = {name.removeprefix("RLIMIT_").lower(): v for name, v in chosen.items()}
    # Writing past RLIMIT_FSIZE fails with EFBIG instead of killing the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    applied["no_new_privileges"] = True


def block_keyrings(applied: dict) -> None:
    """A seccomp filter: add_key, request_key and keyctl fail with ENOSYS.

    Keys live in the user's keyrings, which no namespace isolates and which outlive
    every process of the user; another worker of that user (or, by their modes, of
    any user) could read them. Needs no_new_privs (`limit`).
    """
    calls = KEY_CALLS.get(os.uname().machine)
    if calls is None:
        raise OSError(errno.ENOSYS, f"no list of key calls for {os.uname().machine}")
    program = _key_filter(calls)
    filters = ctypes.create_string_buffer(program)
    fprog = struct.pack("HP", len(program) // 8, ctypes.addressof(filters))
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog, 0, 0), "seccomp")
    applied["blocked_calls"] = ["add_key", "keyctl", "request_key"]


def _key_filter(calls: dict[int, tuple[int, ...]]) -> bytes:
    """Classic BPF: per architecture, its key calls fail; any other architecture fails all."""
    deny = SECCOMP_RET_ERRNO | errno.ENOSYS
    code = []
    for arch, numbers in calls.items():
        code += [(BPF_LD_ABS, 0, 0, 4),                          # seccomp_data.arch
                 (BPF_JEQ, 0, len(numbers) + 3, arch),           # another one: next block
                 (BPF_LD_ABS, 0, 0, 0)]                          # seccomp_data.nr
        code += [(BPF_JEQ, len(numbers) - i, 0, nr) for i, nr in enumerate(numbers)]
        code += [(BPF_RET, 0, 0, SECCOMP_RET_ALLOW), (BPF_RET, 0, 0, deny)]
    code.append((BPF_RET, 0, 0, deny))
    return b"".join(struct.pack("HBBI", *instruction) for instruction in code)


def drop_privileges(policy: dict, applied: dict) -> None:
    os.setgroups([])
    os.setgid(policy["gid"])
    os.setuid(policy["uid"])
    applied["uid"] = os.getuid()


def apply(policy: dict) -> dict:
    """Every protection of `policy` applied to this (single-threaded) process, which ends
    in the worker's scratch as the worker's user; returns what took effect."""
    applied: dict = {}
    if policy["isolate"]:
        try:
            isolate(policy, applied)
        except OSError as exc:
            applied["isolation_error"] = str(exc)
    limit(policy, applied)
    try:
        block_keyrings(applied)
    except OSError as exc:
        applied["keyrings_error"] = str(exc)
    if policy["uid"] is not None:
        drop_privileges(policy, applied)
    os.chdir(policy["scratch"])
    return applied


def main(argv: list[str]) -> None:
    policy = json.loads(argv[0])
    applied = apply(policy)
    args = [policy["python"], "-I", "-m", "grader.worker", *policy["worker_args"],
            "--applied", json.dumps(applied)]
    os.execve(policy["python"], args, policy["env"])


if __name__ == "__main__":
    main(sys.argv[1:])
