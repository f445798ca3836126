"""Where a worker can write on the host, and removing what a worker left there.

With a mount namespace the worker sees the host read-only, and each world-writable
folder found here (`/tmp`, `/var/tmp`, `/dev/shm`, `/run/lock`, whatever its name) is
a private folder of its own (`grader.sandbox.launch`). Without one (Docker refuses
namespaces) the worker, a pool user of its own, can write only in those folders and
in its scratch, and what it creates there is owned by its user: the judge removes
what the pool users own there, and their SysV IPC objects, after a worker ends and
before a user is handed out again (`grader.sandbox.users`), so a judge that was
killed leaves nothing behind for the next submission either. POSIX message queues
and keyrings are closed to every worker (`launch.limit`, `launch.block_keyrings`).
"""

from __future__ import annotations

import ctypes
import functools
import os
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

KERNEL_FOLDERS = ("/proc", "/sys")  # kernel interfaces: nothing a user writes there is kept
IPC_RMID = 0
# /proc/sysvipc/<kind>: the call that removes one, and its arguments after the id
_IPC_KINDS = {"shm": ("shmctl", (IPC_RMID, None)), "sem": ("semctl", (0, IPC_RMID)),
              "msg": ("msgctl", (IPC_RMID, None))}
_RM_BATCH = 500


@functools.cache
def world_writable() -> list[str]:
    """Every world-writable folder of the host (the outermost ones), once per process.

    A walk of every mounted filesystem but the kernel's; it does not descend into the
    folders it finds, whose whole trees a worker could write in anyway.
    """
    found, stack = [], ["/"]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:  # vanished or unreadable (a FUSE mount of another user)
            continue
        for entry in entries:
            if entry.path in KERNEL_FOLDERS:
                continue
            try:
                if not entry.is_dir(follow_symlinks=False):
                    continue
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            (found if mode & stat.S_IWOTH else stack).append(entry.path)
    return sorted(found)


def file_owners(uids: set[int]) -> set[int]:
    """Which of users `uids` own files in the world-writable folders or the temp folder."""
    return set(_owned(uids))


def ipc_owners(uids: set[int]) -> set[int]:
    """Which of users `uids` own or made SysV IPC objects."""
    return {row.uid for row in _ipc_objects() if row.uid in uids}


def remove_files(uids: set[int]) -> None:
    """Remove what users `uids` own in the world-writable folders and the judge's temp folder.

    Their processes must be dead. A folder they own goes whole, whatever is in it.
    """
    remove([path for paths in _owned(uids).values() for path in paths])


def remove(paths: list[str]) -> None:
    """Remove files and whole folders, however deep (a worker can nest folders deeper than
    shutil.rmtree's recursion goes), never following a link."""
    for start in range(0, len(paths), _RM_BATCH):
        subprocess.run(["rm", "-rf", "--", *paths[start:start + _RM_BATCH]],
                       check=False, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _owned(uids: set[int]) -> dict[int, list[str]]:
    """uid -> the outermost entries it owns under the world-writable folders and the temp
    folder (where the judge stages scratch folders, a user's own)."""
    owned: dict[int, list[str]] = {}
    stack = sorted({*world_writable(), tempfile.gettempdir()}) if uids else []
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_uid in uids:
                owned.setdefault(info.st_uid, []).append(entry.path)
            elif stat.S_ISDIR(info.st_mode):
                stack.append(entry.path)
    return owned


class _IpcObject(NamedTuple):
    kind: str
    id: int
    uid: int


def _ipc_objects() -> list[_IpcObject]:
    """The SysV IPC objects of this IPC namespace, by owner or creator."""
    found = []
    for kind in _IPC_KINDS:
        table = Path(f"/proc/sysvipc/{kind}")
        if not table.exists():
            continue
        header, *lines = table.read_text().splitlines()
        columns = header.split()
        for line in lines:
            row = dict(zip(columns, map(int, line.split())))
            ident = row[columns[1]]  # the second column: shmid, semid, msqid
            found += [_IpcObject(kind, ident, row["uid"]), _IpcObject(kind, ident, row["cuid"])]
    return found


def remove_ipc(uids: set[int]) -> None:
    """Remove the SysV shared memory segments, semaphores and queues users `uids` own or made.

    They outlive their processes unless removed, and any user allowed by their modes
    can attach to them by key.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for kind, ident in {(o.kind, o.id) for o in _ipc_objects() if o.uid in uids}:
        call, arguments = _IPC_KINDS[kind]
        getattr(libc, call)(ident, *arguments)
