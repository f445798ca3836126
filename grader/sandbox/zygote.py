"""The zygote: a fork server that starts each worker with torch already imported.

`python -I -m grader.sandbox.zygote CONTROL_FD` is started by the judge with the
worker's environment (no secret in it) and imports torch, numpy and the worker's
modules once, never a judge module or student code. It then waits on its control
socket (`grader.sandbox.starts` is the judge's end). Each request is one policy and
four fds: a status pipe, the worker's two wire pipes and its output file. For each
request it forks a child that becomes that one worker: a session of its own, only its
wire pipes and output open, the worker's environment, then exactly what the launcher
applies (`launch.apply`: namespaces, hidden paths, private tmpfs, rlimits, seccomp,
the worker's user) and the worker's `main`, in-process instead of an `execve`. The
child serves one worker's lifetime and exits; nothing it does reaches the zygote or
a later child, which each start from the zygote's state after its imports.

The status pipe tells the judge `pid N` once the child leads a process group of its
own (`error ...` if it could not be forked) and `exit CODE` (Popen's returncode: -9 for
SIGKILL) when it ends. A
child that ended stays a zombie until the judge closes the pipe, so that its pid
names it, and nothing else, for as long as the judge may signal its process group.

fork() copies only the calling thread, and unshare(CLONE_NEWNS) refuses a process
whose filesystem state other threads share, so the zygote forks only while it is
the one thread of its process: numpy's OpenBLAS threads, started by its import, stop
in a fork handler of their own (one empty fork), and torch starts its thread pools at
the first parallel operation, which only workers run. CUDA is never initialised here.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import traceback
from typing import NoReturn

MAX_REQUEST = 1 << 20   # bytes of one policy (its lists of paths)
REQUEST_FDS = 4         # status, requests, replies, output
PRELOADED = ("torch", "numpy", "grader.wire", "grader.toolkit.memory",
             "grader.worker.dispatch", "grader.worker.helpers", "grader.worker.__main__",
             "grader.sandbox.launch")


def _preload() -> None:
    """Import what every worker imports; then be the process's one thread."""
    import importlib

    for name in PRELOADED:
        importlib.import_module(name)
    pid = os.fork()  # runs the fork handlers that stop OpenBLAS's threads
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:
        raise RuntimeError(f"{threads} threads after the imports: forking is not safe")


class Children:
    """Forked workers by pid, each with the write end of its status pipe."""

    def __init__(self, poller: select.poll):
        self.poller = poller
        self.status: dict[int, int] = {}   # pid -> status fd
        self.pid_of: dict[int, int] = {}   # status fd -> pid, while the judge reads it
        self.ended: set[int] = set()       # zombies, reported

    def add(self, pid: int, status: int) -> None:
        self.status[pid] = status
        self.pid_of[status] = pid
        self.poller.register(status, 0)  # POLLERR alone: the judge closed its end

    def collect(self) -> None:
        """Report every child that ended (SIGCHLD); keep it a zombie until the judge
        has read it."""
        for pid, fd in list(self.status.items()):
            if pid in self.ended:
                continue
            info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if info is None:
                continue
            self.ended.add(pid)
            code = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
            if not _tell(fd, f"exit {code}"):  # nobody reads it any more
                self._reap(pid)

    def hung_up(self, fd: int) -> None:
        """The judge closed the status pipe: reap the child, or as soon as it ends."""
        pid = self.pid_of.pop(fd)
        self.poller.unregister(fd)
        if pid in self.ended:
            self._reap(pid)

    def _reap(self, pid: int) -> None:
        os.waitpid(pid, 0)
        fd = self.status.pop(pid)
        if self.pid_of.pop(fd, None) is not None:
            self.poller.unregister(fd)
        os.close(fd)
        self.ended.discard(pid)


def serve(control: socket.socket) -> None:
    """Fork a worker per request until the judge closes the control socket."""
    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes poll() through wake_w
    poller = select.poll()
    poller.register(control, select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    children = Children(poller)
    while True:
        # Hang-ups first, requests last: a request's fds may take the numbers of status
        # pipes closed in this round, whose events must not be taken for theirs.
        for fd, _ in sorted(poller.poll(), key=lambda event: (event[0] == control.fileno(),
                                                              event[0] == wake_r)):
            if fd == control.fileno():
                message, fds, _, _ = socket.recv_fds(control, MAX_REQUEST, REQUEST_FDS)
                if not message:
                    return
                _spawn(json.loads(message)["policy"], fds, children)
            elif fd == wake_r:
                while _drained(wake_r):
                    pass
                children.collect()
            else:
                children.hung_up(fd)


def _drained(fd: int) -> bool:
    try:
        return bool(os.read(fd, 512))
    except BlockingIOError:
        return False


def _spawn(policy: dict, fds: list[int], children: Children) -> None:
    status, *wire = fds
    try:
        pid = os.fork()
    except OSError as exc:
        _tell(status, f"error fork: {exc}")
        pid = None
    if pid == 0:
        _become_worker(policy, status, *wire)
    for fd in wire:
        os.close(fd)
    if pid is None:
        os.close(status)
    else:
        children.add(pid, status)


def _tell(status: int, line: str) -> bool:
    """One line to the judge; False if it no longer reads them."""
    try:
        os.write(status, f"{line}\n".encode())
        return True
    except OSError:
        return False


def _become_worker(policy: dict, status: int, requests: int, replies: int,
                   output: int) -> NoReturn:
    """In the forked child: what `launch` does, then the worker's main; never returns."""
    code = 70
    try:
        os.setsid()  # its own process group, which the judge kills as one
        _tell(status, f"pid {os.getpid()}")  # only now: killing its group kills it
        signal.set_wakeup_fd(-1)  # signals as a fresh interpreter has them
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _keep_only(requests, replies, output)
        _fresh_process_state(policy["env"])
        from grader.sandbox import launch
        from grader.worker import __main__ as worker

        applied = launch.apply(policy)
        args = [*policy["worker_args"], "--requests", str(requests), "--replies", str(replies),
                "--applied", json.dumps(applied)]
        sys.argv = [worker.__file__, *args]
        code = worker.main(args)
    except SystemExit as exc:  # as the interpreter would exit with it
        code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - the judge reads the traceback from fd 2
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # closed or replaced by student code
                pass
        os._exit(code)


def _keep_only(requests: int, replies: int, output: int) -> None:
    """stdin from /dev/null, fd 1 and 2 on the output file, the wire pipes; no other fd
    (the control socket, other workers' status pipes) stays open."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    keep = {0, 1, 2, requests, replies}
    for name in os.listdir("/proc/self/fd"):
        if int(name) not in keep:
            try:
                os.close(int(name))
            except OSError:  # the listing's own fd, closed already
                pass


def _fresh_process_state(env: dict) -> None:
    """The environment and random state a freshly started worker would have."""
    import random
    import tempfile

    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = None  # found again from TMPDIR
    random.seed()
    if "numpy.random" in sys.modules:
        sys.modules["numpy.random"].seed()


def main(argv: list[str]) -> None:
    control = socket.socket(fileno=int(argv[0]))
    try:
        _preload()
    except Exception as exc:  # noqa: BLE001 - the judge starts its workers cold then
        control.send(json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
        raise SystemExit(1) from None
    control.send(json.dumps({"ready": True}).encode())
    serve(control)


if __name__ == "__main__":
    main(sys.argv[1:])
