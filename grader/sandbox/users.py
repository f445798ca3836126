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

Looking for what a user owns walks every world-writable folder of the host, seconds
where /tmp is crowded, so a free slot known to be clean is not looked at: a run whose
workers all ran in a mount namespace of their own, which gives them private
world-writable folders (`WorkerUser.release`), or a walk that found nothing, leaves the
slot marked clean in its state file, and taking the slot removes the mark.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from grader import host
from grader.sandbox import writable

PREFIX = "grader-w"
POOL_SIZE = 32
LOCK_DIR = Path("/run/grader-sandbox")  # root's alone: the slots' locks and state files
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
    workers: int = 0   # workers started as this user (`starting`)
    confined: int = 0  # of them, those whose ready message showed private folders (`ready`)

    def starting(self) -> None:
        """Count a worker about to start as this user: it may write on the host until its
        ready message (`ready`) shows otherwise."""
        self.workers += 1

    def ready(self, applied: dict) -> None:
        """A worker's ready message: what its launcher applied (`launch.apply`), reported
        before any student code ran."""
        if applied.get("writable"):  # set once the private tmpfs is behind them all
            self.confined += 1

    def release(self) -> None:
        """Kill the user's processes, remove what it left, free the slot.

        When every worker of this user ran confined, its files are not looked for. Each
        applied the policy to itself before anything ran as this user: a mount namespace
        of its own, the host read-only, one private tmpfs behind every world-writable
        folder, then the switch to this user. Every process of the user descends from such
        a worker and shares its namespace, which an unprivileged process cannot leave
        (setns needs CAP_SYS_ADMIN over the host's; a namespace it makes copies the
        mounts, locked): the confinement that hides the hidden tests. So nothing of the
        user reached the host's folders, but the copy of the submission the judge staged,
        which the judge removes before it releases the user (`SandboxBackend.close`). A
        worker with no ready message, or run without the namespace (Docker), counts as
        unconfined. `kill_all` still runs first, so that no process of the user outlives
        the run, and the slot is marked clean while still locked: the next run to take it
        removes the mark, which must not land after that.
        """
        confined = 0 < self.workers == self.confined
        _clean({self.uid: self.gid}, files=not confined)
        if confined:
            _mark_clean(self.name, self.uid)
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
        was_clean = _taken(user)
        _used[user.uid] = user.gid
        _held.add(user.uid)
        _clean_free_slots(user, was_clean)
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


def _clean_free_slots(own: WorkerUser, own_clean: bool) -> None:
    """Leftovers of runs that died without cleaning up: `own`'s, and every free slot's.

    Only slots not marked clean are looked at. A free slot is locked only while its
    user's leftovers go (no run may start a worker as that user meanwhile), and only
    when it has some: runs taking a user at the same time find the other slots free.
    One that has none is marked clean, unless a run took it during the walk: its
    walk token is gone then (`_taken`). The token is set before the slot is seen free
    and without processes, so that nothing the walk missed can have been written.
    """
    pool = {entry.pw_uid: entry for entry in pwd.getpwall()
            if entry.pw_name.startswith(PREFIX) and entry.pw_name[len(PREFIX):].isdigit()}
    token = f"walk {secrets.token_hex(8)}"
    unknown = [uid for uid, entry in pool.items()
               if uid != own.uid and _state(entry.pw_name) != _clean_state(uid)]
    for uid in unknown:
        _set_state(pool[uid].pw_name, token)
    free = {uid for uid in unknown if _unclaimed(uid)}  # a held one: its run cleaned it
    live = host.live_uids() & set(pool)
    walked = (free - live) | (set() if own_clean else {own.uid})
    left = writable.file_owners(walked) | writable.ipc_owners(set(pool)) | live
    for uid in (free | left) - {own.uid}:
        fd = _lock(pool[uid].pw_name)
        if fd is None:  # a run holds it, and what is there is that run's
            continue
        try:
            if uid in left:
                _clean({uid: pool[uid].pw_gid})
            elif _state(pool[uid].pw_name) == token:
                _mark_clean(pool[uid].pw_name, uid)
        finally:
            os.close(fd)
    if own.uid in left:
        _clean({own.uid: own.gid})


def _clean(users: dict[int, int], files: bool = True) -> None:
    """Kill every process of `users` (uid -> gid), then remove their IPC objects and,
    unless told not to, their files."""
    for uid, gid in users.items():
        kill_all(uid, gid)
    if files:
        writable.remove_files(set(users))
    writable.remove_ipc(set(users))


def _state_file(name: str) -> Path:
    return LOCK_DIR / f"{name}.state"


def _clean_state(uid: int) -> str:
    """The mark of a free slot whose user (by uid: a user made anew is not clean) owns
    nothing on the host and runs nothing."""
    return f"clean {uid}"


def _state(name: str) -> str:
    try:
        return _state_file(name).read_text()
    except FileNotFoundError:
        return ""


def _set_state(name: str, text: str) -> None:
    """Replaced whole, so that a reader sees the old text or the new one."""
    part = LOCK_DIR / f"{name}.state.{os.getpid()}"
    part.write_text(text)
    os.replace(part, _state_file(name))


def _mark_clean(name: str, uid: int) -> None:
    _set_state(name, _clean_state(uid))


def _taken(user: WorkerUser) -> bool:
    """Whether the slot just locked for `user` was marked clean; its mark (or a walk's
    token) goes, as the slot's user may leave files from now on."""
    clean = _state(user.name) == _clean_state(user.uid)
    _state_file(user.name).unlink(missing_ok=True)
    return clean


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


def kill_all(uid: int, gid: int, *, timeout: float = 10.0) -> None:
    """SIGKILL every process of `uid` and wait until none is left."""
    deadline = time.monotonic() + timeout
    while host.processes_of(uid):
        subprocess.run([sys.executable, "-I", "-c", _KILL_AS_USER, str(uid), str(gid)],
                       check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for pid in host.processes_of(uid):  # also those that appeared since
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes of uid {uid} survive SIGKILL: {host.processes_of(uid)}")
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
    found = {uid: host.processes_of(uid) for uid in _used if uid not in _held and _unclaimed(uid)}
    return {uid: pids for uid, pids in found.items() if pids}


def _unclaimed(uid: int) -> bool:
    """True when no process holds the slot of user `uid`."""
    fd = _lock(pwd.getpwuid(uid).pw_name)
    if fd is None:
        return False
    os.close(fd)
    return True
