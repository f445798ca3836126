"""Nothing a worker writes outlives it or reaches another submission's worker.

With namespaces the host is read-only to the worker, and its scratch and every
world-writable folder of the host are folders of one private tmpfs. Without them the
judge removes what the worker's user owns when the worker ends, and before the user
runs again. SysV IPC objects go the same ways; keyrings are closed to it.
"""

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.judge.errors import SubmissionError
from grader.sandbox import users, writable
from tests.sandbox.conftest import (
    needs_file_modes,
    needs_namespaces,
    needs_root,
    start_probe,
    without_namespaces,
)

pytestmark = pytest.mark.slow

NAME = "left-by-the-worker"
SHM_KEY = 0x6C656674
READ_ONLY = ["/", "/etc", "/var", "/usr/lib"]


def host_has(folders: list[str], name: str = NAME) -> list[str]:
    return [f for f in folders if os.path.lexists(os.path.join(f, name))]


def ipc_objects(kind: str) -> list[dict]:
    """The host's SysV IPC objects of `kind` (shm, sem, msg), as columns by name."""
    header, *lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
    return [dict(zip(header.split(), map(int, line.split()))) for line in lines]


def shared_memory_keys() -> set[int]:
    return {segment["key"] for segment in ipc_objects("shm")}


@contextlib.contextmanager
def running(**worker):
    """A probe worker (with `[grading.worker]` settings `worker`), closed on leaving."""
    submission = start_probe(**worker)
    try:
        yield submission
    finally:
        submission.close()


@needs_namespaces
def test_the_worker_writes_only_in_its_private_scratch():
    with running() as first:
        places = written_and_checked(first)
        with running() as second:
            assert second.probe.found_in(places, NAME) == [], "it saw the first worker's files"
        with pytest.raises(SubmissionError, match="ended the worker process"):
            first.probe.die()
        assert first.probe.found_in(places, NAME) == [], "a restarted worker starts afresh"
        assert first.probe.read("probe.py").startswith('"""Reports'), "from the staged files"
    assert not os.path.exists(first._backend.home)


def written_and_checked(worker) -> list[str]:
    """The places `worker` wrote in; only its own, none of them seen on the host."""
    facts = worker.probe.identity()
    assert facts["home"] == facts["cwd"]
    places = [*writable.world_writable(), facts["cwd"]]
    assert "/run/lock" in places
    wrote = worker.probe.write_in(places + READ_ONLY, NAME)
    assert {f for f, result in wrote.items() if result == "written"} == set(places), wrote
    assert {wrote[f] for f in READ_ONLY} == {"error: Read-only file system"}
    assert host_has(places) == [], "the worker wrote on the host"
    report = worker._backend.protections
    assert report["writable_paths"] == sorted(places)
    assert "private tmpfs" in report["writable_by"] and report["not_active"] == []
    return places


@needs_namespaces
def test_one_size_cap_covers_the_scratch_and_every_world_writable_folder():
    with running(tmp_mb=8) as worker:
        places = [*writable.world_writable(), worker.probe.identity()["cwd"]]
        assert 6 <= worker.probe.fill(places, 8) <= 8  # in all, less the staged files


@needs_root
@pytest.mark.parametrize("isolation", [
    pytest.param("namespaces", marks=needs_namespaces),
    pytest.param("file modes", marks=needs_file_modes),
])
def test_ipc_objects_keys_and_queues_do_not_outlive_the_worker(monkeypatch, isolation):
    if isolation == "file modes":
        without_namespaces(monkeypatch)
    with running() as worker:
        assert worker.probe.add_key(NAME) == "error: Function not implemented"
        assert worker.probe.limits()["RLIMIT_MSGQUEUE"] == 0
        assert worker.probe.message_queue(f"/{NAME}").startswith("error")
        assert isinstance(worker.probe.shared_memory(SHM_KEY), int)
        assert (SHM_KEY in shared_memory_keys()) == (isolation == "file modes")
    assert SHM_KEY not in shared_memory_keys()


@needs_file_modes
def test_without_namespaces_the_workers_files_are_removed_when_it_ends(monkeypatch):
    without_namespaces(monkeypatch)
    with running() as worker:
        places = [*writable.world_writable(), worker.probe.identity()["cwd"]]
        wrote = worker.probe.write_in(places, NAME)
        assert {f for f, result in wrote.items() if result == "written"} == set(places), wrote
        assert host_has(places) == places  # shared with the host while the worker runs
        report = worker._backend.protections
        assert report["writable_by"].startswith("file modes")
        assert any(line.startswith("private files: no mount namespace")
                   for line in report["not_active"])
    assert host_has(places) == []


# A judge that takes a worker user, leaves what a worker would as that user (files in
# shared folders, a tree deeper than Python's recursion limit, SysV IPC objects) and is
# killed before it can clean up.
KILLED_JUDGE = """
import os, subprocess, sys
from grader.sandbox import users
user = users.acquire()
subprocess.run(["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--clear-groups",
                "sh", "-c", sys.argv[1]], check=True)
print(user.uid, flush=True)
os.kill(os.getpid(), 9)
"""


@needs_root
def test_what_a_killed_judge_left_is_removed_before_a_worker_user_runs_again():
    name, shared = f"{NAME}-{os.getpid()}", ["/run/lock", "/dev/shm", "/tmp"]
    leave = (f"touch /run/lock/{name} /dev/shm/{name} && mkdir /tmp/{name} && cd /tmp/{name} && "
             "for i in $(seq 1200); do mkdir d && cd d; done && "
             "{ ipcmk -M 4096 -p 0666 && ipcmk -S 1 && ipcmk -Q; } >/dev/null")
    judge = subprocess.run([sys.executable, "-c", KILLED_JUDGE, leave], capture_output=True,
                           text=True, check=False)
    assert judge.returncode == -9, judge.stderr
    uid = int(judge.stdout)
    assert host_has(shared, name) == shared
    held = users.acquire()
    try:
        assert host_has(shared, name) == []
        for kind in ("shm", "sem", "msg"):
            assert [o for o in ipc_objects(kind) if o["uid"] == uid] == [], kind
    finally:
        held.release()
