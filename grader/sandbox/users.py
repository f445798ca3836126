"""Dedicated unprivileged users for workers, and killing everything they run.

When the judge is root, every student worker runs as a user of its own from a
small pool (`grader-w0`, `grader-w1`, ...), created on first use. A slot is held
with an exclusive lock for as long as a backend uses it, so that two grading
runs on one machine never share a user: "kill every process of the worker's
user" then kills only this run's processes.

A user leaves nothing behind for the next submission graded as it. Releasing a
slot kills its user's processes and removes what the user owns in the host's
world-writable folders, and its SysV IPC objects (`grader.sandbox.writable`);
taking a slot does the same for it and for every free slot, whose run may have
been killed before it could clean up.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import writable

PREFIX = "grader-w"
POOL_SIZE = 32
LOCK_DIR = Path("/run/grader-sandbox")
# Sends SIGKILL to every process the worker's user may signal (all of its own), in
# one kill(2) call, which no fork loop can outrun.
_KILL_AS_USER = "import os,sys; os.setgroups([]); os.setgid(int(sys.argv[2])); " \
                "os.setuid(int(sys.argv[1])); os.kill(-1, 9)"


_used: dict[int, int] = {}  # uid -> gid of every worker user this process has held
_held: set[int] = set()     # uids this process holds now


class NoWorkerUser(Exception):
    """No dedicated user could be had; the reason is for the protections report."""


@dataclass
class WorkerUser:
    name: str
    uid: int
    gid: int
    lock_fd: int

    def release(self) -> None:
        _clean({self.uid: self.gid})
        _held.discard(self.uid)
        os.close(self.lock_fd)  # closing drops the flock


def acquire() -> WorkerUser:
    """Lock a free slot of the pool and make sure its user exists (root only)."""
    if os.geteuid() != 0:
        raise NoWorkerUser("the judge is not root, so it cannot switch users")
    LOCK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    for slot in range(POOL_SIZE):
        fd = _lock(f"{PREFIX}{slot}")
        if fd is None:
            continue
        try:
            entry = _ensure_user(f"{PREFIX}{slot}")
        except (OSError, subprocess.CalledProcessError) as exc:
            os.close(fd)
            raise NoWorkerUser(f"could not create user {PREFIX}{slot}: {exc}") from exc
        user = WorkerUser(entry.pw_name, entry.pw_uid, entry.pw_gid, fd)
        _used[user.uid] = user.gid
        _held.add(user.uid)
        _clean_free_slots(user)
        return user
    raise NoWorkerUser(f"all {POOL_SIZE} worker users are in use")


def _lock(name: str) -> int | None:
    """An fd holding the slot of user `name` locked; None when another process holds it."""
    fd = os.open(LOCK_DIR / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        os.close(fd)
        return None


def _clean_free_slots(own: WorkerUser) -> None:
    """Leftovers of runs that died without cleaning up: `own`'s, and every free slot's.

    A free slot is locked only while its user's leftovers go (no run may start a
    worker as that user meanwhile), and only when it has some: runs taking a user at
    the same time find the other slots free.
    """
    pool = {entry.pw_uid: entry for entry in pwd.getpwall()
            if entry.pw_name.startswith(PREFIX) and entry.pw_name[len(PREFIX):].isdigit()}
    left = writable.owners(set(pool)) | (_live_uids() & set(pool))
    for uid in left - {own.uid}:
        fd = _lock(pool[uid].pw_name)
        if fd is not None:  # else a run holds it, and what is there is that run's
            try:
                _clean({uid: pool[uid].pw_gid})
            finally:
                os.close(fd)
    if own.uid in left:
        _clean({own.uid: own.gid})


def _clean(users: dict[int, int]) -> None:
    """Kill every process of `users` (uid -> gid), then remove their files and IPC objects."""
    for uid, gid in users.items():
        kill_all(uid, gid)
    writable.remove_files(set(users))
    writable.remove_ipc(set(users))


def _ensure_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    for attempt in range(20):  # useradd fails while another process holds /etc/passwd's lock
        result = subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home",
             "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name],
            capture_output=True, text=True, check=False)
        if result.returncode in (0, 9):  # 9: created meanwhile by someone else
            return pwd.getpwnam(name)
        time.sleep(0.05 * (attempt + 1))
    raise subprocess.CalledProcessError(result.returncode, "useradd", stderr=result.stderr)


def processes_of(uid: int) -> list[int]:
    """Live (not zombie) processes whose real user is `uid`.

    Read from /proc/PID/status: unlike the owner of /proc/PID, it stays true for
    a process that made itself non-dumpable.
    """
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and _real_uid(entry.name) == uid:
            found.append(int(entry.name))
    return found


def _live_uids() -> set[int]:
    """The real users of every live process."""
    return {_real_uid(entry.name) for entry in os.scandir("/proc") if entry.name.isdigit()}


def _real_uid(pid: str) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # exited meanwhile
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    if fields.get("State", "Z").split()[0] in ("Z", "X"):
        return None
    return int(fields["Uid"].split()[0])


def kill_all(uid: int, gid: int, *, timeout: float = 10.0) -> None:
    """SIGKILL every process of `uid` and wait until none is left."""
    deadline = time.monotonic() + timeout
    while processes_of(uid):
        subprocess.run([sys.executable, "-I", "-c", _KILL_AS_USER, str(uid), str(gid)],
                       check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for pid in processes_of(uid):  # also those that appeared since
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes of uid {uid} survive SIGKILL: {processes_of(uid)}")
        time.sleep(0.02)


def reap() -> None:
    """Kill every process of the worker users this process has used (before results).

    A user that another grading run holds by now is left alone: its processes are
    that run's.
    """
    for uid, gid in _used.items():
        if uid in _held or _unclaimed(uid):
            kill_all(uid, gid)


def leftovers() -> dict[int, list[int]]:
    """Live processes of the worker users this process used and no one holds now."""
    found = {uid: processes_of(uid) for uid in _used if uid not in _held and _unclaimed(uid)}
    return {uid: pids for uid, pids in found.items() if pids}


def _unclaimed(uid: int) -> bool:
    """True when no process holds the slot of user `uid`."""
    fd = _lock(pwd.getpwuid(uid).pw_name)
    if fd is None:
        return False
    os.close(fd)
    return True
