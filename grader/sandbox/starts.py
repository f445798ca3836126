"""How the judge starts a worker: forked by its zygote (warm), or in a fresh interpreter.

Warm: the judge's zygote (`grader.sandbox.zygote`, one per judge process, started with
its first worker, before it knows any submission) imported torch and the worker's
modules once; each worker is a child it forks, which applies the policy as the
launcher does and runs the worker's main. Cold: `python -I -m grader.sandbox.launch
POLICY` applies the policy and becomes `python -I -m grader.worker`, which imports
torch afresh. A worker starts cold when `GRADER_WORKER_START=cold`, when the zygote
could not start or has ended, or when it could not fork that worker; results.json's
`extra_data.sandbox.worker_start` says which start the run used.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace

from grader.sandbox.policy import Policy, worker_env

START_ENV = "GRADER_WORKER_START"  # "cold": every worker imports torch itself
FORK_TIMEOUT_S = 180.0  # the zygote's imports on a loaded machine, before its first fork
WARM = ("warm: forked from the judge's zygote, which imported torch and the worker's "
        "modules before any submission was known; a fresh process per worker")


class ZygoteChild:
    """A worker the zygote forked, seen as `subprocess.Popen` sees a child: `pid` (its
    process group), `wait()` and `returncode`, read from its status pipe."""

    def __init__(self, status_fd: int):
        self.status_fd = status_fd
        self.returncode: int | None = None
        self.failure: str | None = None  # why the zygote did not fork it
        self._pid: int | None = None
        self._buffer = b""
        self._lock = threading.Lock()  # the watchdog's thread may ask for the pid too

    @property
    def pid(self) -> int | None:
        """Its pid, once the zygote has forked it (None: it never was)."""
        if self._pid is None:
            self.started(FORK_TIMEOUT_S)
        return self._pid

    def started(self, timeout: float) -> bool:
        """Wait until the zygote has forked the worker; False (see `failure`) if it could not."""
        with self._lock:
            if self._pid is None and self.failure is None:
                try:
                    line = self._next_line(timeout)
                except subprocess.TimeoutExpired:
                    line = f"error no fork within {timeout:g} s"
                if line and line.startswith("pid "):
                    self._pid = int(line.removeprefix("pid "))
                elif line and line.startswith("exit "):
                    self.returncode = int(line.removeprefix("exit "))
                    self.failure = f"the forked worker ended at once (exit code {self.returncode})"
                else:
                    self.failure = (line or "error the zygote ended").removeprefix("error ")
        return self._pid is not None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self.started(FORK_TIMEOUT_S):
            with self._lock:
                line = self._next_line(timeout)
                # No line: the zygote ended, and the worker's end is unknown: as if killed.
                self.returncode = (int(line.removeprefix("exit ")) if line
                                   else -signal.SIGKILL)
        if self.returncode is None:  # never forked
            self.returncode = -signal.SIGKILL
        if self.status_fd >= 0:  # the zygote may reap it now
            os.close(self.status_fd)
            self.status_fd = -1
        return self.returncode

    def _next_line(self, timeout: float | None) -> str | None:
        """The zygote's next line; None at the end of the pipe."""
        deadline = None if timeout is None else time.monotonic() + timeout
        poller = select.poll()
        poller.register(self.status_fd, select.POLLIN)
        while b"\n" not in self._buffer:
            left = None if deadline is None else max(0.0, deadline - time.monotonic()) * 1000
            if not poller.poll(left):
                raise subprocess.TimeoutExpired("grader.sandbox.zygote", timeout)
            data = os.read(self.status_fd, 256)
            if not data:
                return None
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()


class Zygote:
    """The judge's end of its zygote: a control socket and the process."""

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-m", "grader.sandbox.zygote", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
                env=worker_env("/"), start_new_session=True)
        # A judge forked from this one (a warm judge's grading) shares it: each request is
        # one datagram and brings its own status pipe, so answers never cross.
        self.control = ours
        self.failure: str | None = None

    def spawn(self, policy: dict, fds: list[int]) -> ZygoteChild | None:
        """Ask for a worker (fds: its two wire pipes and its output); None if the zygote
        cannot be asked (see `failure`)."""
        self._check()
        if self.failure:
            return None
        status_r, status_w = os.pipe()
        try:
            socket.send_fds(self.control, [json.dumps({"policy": policy}).encode()],
                            [status_w, *fds])
        except OSError as exc:
            os.close(status_r)
            self.failure = f"the zygote could not be reached ({exc})"
            return None
        finally:
            os.close(status_w)
        return ZygoteChild(status_r)

    def _check(self) -> None:
        """Its start-up message, when one came: an error, or its end, rules it out (read
        from the socket, which a judge forked from the zygote's parent shares too)."""
        poller = select.poll()
        poller.register(self.control, select.POLLIN)
        while self.failure is None and poller.poll(0):  # "ready", then perhaps its end
            message = self.control.recv(1 << 16)
            if not message:
                self.failure = "the zygote ended"
            elif "error" in json.loads(message):
                self.failure = f"the zygote could not start: {json.loads(message)['error']}"


_zygote: Zygote | None = None


def start(policy: Policy, wire: tuple[int, int], output_fd: int,
          cold_because: str | None = None) -> tuple[ZygoteChild | subprocess.Popen, str]:
    """Start a worker with its wire pipes (requests' read end, replies' write end) and its
    fd 1 and 2 on `output_fd`: warm unless `cold_because` or the zygote says otherwise.
    Returns the process and which start it got, in words."""
    why = cold_because or _why_not_warm(policy)
    if why is None:
        child = _zygote.spawn(policy.to_json(), [*wire, output_fd])
        if child is not None:
            return child, WARM
        why = _zygote.failure
    return _cold(policy, wire, output_fd), f"cold: {why}"


def prestart() -> None:
    """Start this judge's zygote now, so that its imports overlap the judge's own."""
    if os.environ.get(START_ENV) != "cold":
        _own_zygote()


def _why_not_warm(policy: Policy) -> str | None:
    if os.environ.get(START_ENV) == "cold":
        return f"{START_ENV}=cold"
    if policy.python != sys.executable:
        return "the worker's interpreter is not the judge's"
    return _own_zygote()


def _own_zygote() -> str | None:
    """This process's zygote, started unless it has one; what stopped it, if anything."""
    global _zygote
    if _zygote is None:
        try:
            _zygote = Zygote()
        except OSError as exc:
            _zygote = None
            return f"the zygote could not be started ({exc})"
    return None


def _cold(policy: Policy, wire: tuple[int, int], output_fd: int) -> subprocess.Popen:
    """`python -I -m grader.sandbox.launch POLICY`, which becomes the worker."""
    requests, replies = wire
    policy = replace(policy, worker_args=[
        *policy.worker_args, "--requests", str(requests), "--replies", str(replies)])
    return subprocess.Popen(
        [policy.python, "-I", "-m", "grader.sandbox.launch", json.dumps(policy.to_json())],
        pass_fds=wire, stdin=subprocess.DEVNULL, stdout=output_fd, stderr=output_fd,
        cwd="/", env=policy.env, start_new_session=True)
