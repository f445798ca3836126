"""One worker process seen from the judge: its pipes, its output, its memory, its death.

Everything that comes out of the worker is untrusted: replies are read within a
deadline and a size cap, and any deviation (a timeout, an early end, a
malformed frame, too much memory) ends the worker and becomes a `WorkerFault`
whose message is written for the student.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import select
import signal
import subprocess
import threading
import time
from dataclasses import replace

from grader.sandbox import users
from grader.sandbox.policy import Policy
from grader.wire import WireError, read_message, write_message

MAX_REPLY_BYTES = 2 * 2**30
PIPE_BYTES = 1 << 20          # larger pipes: fewer wake-ups for big tensors
OUTPUT_LIMIT = 20_000         # bytes of fd-level output kept per call
WATCH_INTERVAL_S = 0.2
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


class WorkerFault(Exception):
    """The worker could not answer; `str()` completes "models.f ..." for the student.

    `grader_fault`: nothing the student's code hit (no time limit, no watchdog)
    explains it, e.g. a SIGKILL from the host's out-of-memory killer.
    """

    def __init__(self, message: str, *, grader_fault: bool = False):
        super().__init__(message)
        self.grader_fault = grader_fault


class _Timeout(Exception):
    pass


class Channel:
    """File-like ends of the two pipes, for codec's framing, that honour a deadline."""

    def __init__(self, read_fd: int, write_fd: int):
        self.reader = os.fdopen(read_fd, "rb", buffering=0)
        self.write_fd = write_fd
        os.set_blocking(write_fd, False)
        self.deadline = float("inf")
        self.budget = MAX_REPLY_BYTES

    def _wait(self, fd: int, event: int) -> None:
        poller = select.poll()
        poller.register(fd, event)
        left = self.deadline - time.monotonic()
        if left <= 0 or not poller.poll(min(left, 3600) * 1000):
            raise _Timeout

    def read(self, size: int) -> bytearray:
        if size > self.budget:
            raise WireError(f"a reply larger than {MAX_REPLY_BYTES >> 20} MB")
        self.budget -= size
        data = bytearray(size)
        view, got = memoryview(data), 0
        while got < size:
            self._wait(self.reader.fileno(), select.POLLIN)
            n = self.reader.readinto(view[got:])
            if not n:
                break  # end of stream: codec reports the short read
            got += n
        return data[:got] if got < size else data

    def write(self, data) -> None:
        view = memoryview(data).cast("B")
        while view:
            self._wait(self.write_fd, select.POLLOUT)
            try:
                view = view[os.write(self.write_fd, view):]
            except BlockingIOError:
                continue

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.reader.close()
        os.close(self.write_fd)


class MemoryWatchdog(threading.Thread):
    """Polls the memory the worker's processes allocated; past the limit it kills them all."""

    def __init__(self, worker: WorkerProcess, limit_mb: int):
        super().__init__(daemon=True, name="grader-memory-watchdog")
        self.worker, self.limit = worker, limit_mb * 2**20
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(WATCH_INTERVAL_S):
            used = self.worker.allocated()
            self.peak = max(self.peak, used)
            if used > self.limit:
                self.worker.fault = (f"used {used / 2**30:.1f} GB of memory, more than the "
                                     f"limit of {self.limit / 2**30:.1f} GB, and was stopped")
                self.worker.kill()
                return


class WorkerProcess:
    """A started worker: `python -I -m grader.sandbox.launch` that becomes the worker."""

    def __init__(self, policy: Policy, capture_dir: str):
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        for fd in (requests_w, replies_r):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        policy = replace(policy, worker_args=[
            *policy.worker_args, "--requests", str(requests_r), "--replies", str(replies_w)])
        self.uid, self.gid = policy.uid, policy.gid
        self.fault: str | None = None
        self.seq = 0
        # fd 1 and 2 of the worker: a nameless file of the judge's, emptied after each call.
        self.output_fd = os.open(capture_dir, os.O_TMPFILE | os.O_RDWR | os.O_APPEND, 0o600)
        self.process = subprocess.Popen(
            [policy.python, "-I", "-m", "grader.sandbox.launch", json.dumps(policy.to_json())],
            pass_fds=(requests_r, replies_w), stdin=subprocess.DEVNULL, stdout=self.output_fd,
            stderr=self.output_fd, cwd="/", env=policy.env, start_new_session=True)
        os.close(requests_r)
        os.close(replies_w)
        self.channel = Channel(replies_r, requests_w)
        self.applied: dict = {}
        self.watchdog = MemoryWatchdog(self, policy.limits.memory_mb)
        self.watchdog.start()

    def wait_ready(self, timeout: float) -> dict:
        """The worker's first message; what the launcher applied."""
        header, _ = self._receive(timeout, "start")
        if header.get("stage") != "ready":
            raise WorkerFault("could not be started: the worker sent no ready message")
        self.applied = header.get("applied") or {}
        return self.applied

    def exchange(self, request: dict, buffers: list, timeout: float) -> tuple[dict, list]:
        """Send one request; the reply is the next message that carries its number."""
        self.seq += 1
        self.channel.deadline = time.monotonic() + timeout
        try:
            write_message(self.channel, {**request, "seq": self.seq}, buffers)
        except _Timeout:
            self.kill()
            raise WorkerFault(f"did not accept its input within {timeout:g} s") from None
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            raise self._death() from None
        deadline = self.channel.deadline
        while True:  # frames student code forged into the pipe do not answer this request
            reply, out = self._receive(deadline - time.monotonic(), "call", timeout)
            if reply.get("seq") == self.seq:
                return reply, out

    def _receive(self, timeout: float, what: str, limit: float | None = None
                 ) -> tuple[dict, list]:
        self.channel.deadline = time.monotonic() + timeout
        self.channel.budget = MAX_REPLY_BYTES
        try:
            return read_message(self.channel)
        except _Timeout:
            self.kill()
            verb = "did not start within" if what == "start" else "took longer than"
            raise WorkerFault(f"{verb} {limit or timeout:g} s and was stopped") from None
        except EOFError:
            raise self._death() from None
        except (WireError, ValueError, RecursionError) as exc:
            self.kill()
            raise WorkerFault(f"sent a malformed reply ({exc}) and was stopped") from None

    def _death(self) -> WorkerFault:
        """Why the worker stopped answering, in words."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return WorkerFault("closed its connection to the grader and was stopped")
        if self.fault:
            return WorkerFault(self.fault)
        if code >= 0:
            return WorkerFault(f"ended the worker process (exit code {code}); graded code "
                               "must return its result, not exit")
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        if -code == signal.SIGKILL:  # not sent by the watchdog (it leaves a fault) or a timeout
            return WorkerFault(
                f"was interrupted: the worker was killed from outside ({name}) although your "
                f"code hit no limit of the grader ({self.watchdog.peak / 2**20:.0f} MB of "
                f"memory seen, the limit is {self.watchdog.limit / 2**20:.0f} MB). This is a "
                "problem with the grading machine, not your code; please ask the staff to "
                "regrade", grader_fault=True)
        return WorkerFault(f"crashed the worker (killed by signal {name})")

    def take_output(self) -> str:
        """What the worker wrote to fd 1/2 since the last call (capped), then forget it."""
        data = os.pread(self.output_fd, OUTPUT_LIMIT + 1, 0)
        size = os.fstat(self.output_fd).st_size
        os.ftruncate(self.output_fd, 0)
        text = data[:OUTPUT_LIMIT].decode("utf-8", "replace")
        if size > OUTPUT_LIMIT:
            text += f"\n[... {size - OUTPUT_LIMIT} more bytes of output dropped]"
        return text

    def pids(self) -> list[int]:
        """The worker's processes: its user's, else its process group's."""
        if self.uid is not None:
            return users.processes_of(self.uid)
        return [pid for pid, group in _process_groups() if group == self.process.pid]

    def allocated(self) -> int:
        """Resident memory the worker's processes allocated themselves.

        Resident minus shared pages: library files (torch's are 150 MB and more) are left
        out, since the kernel can reclaim them and the judge maps the same ones.
        """
        total = 0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/statm") as f:
                    resident, shared = (int(n) for n in f.read().split()[1:3])
                    total += (resident - shared) * PAGE_BYTES
            except (OSError, IndexError, ValueError):
                continue
        return total

    def signal_all(self, signum: int) -> None:
        """Send `signum` to every process of the worker, including ones started meanwhile."""
        sent: set[int] = set()
        for _ in range(3):  # a fork between the scan and the signal is caught next round
            fresh = [pid for pid in self.pids() if pid not in sent]
            if not fresh:
                return
            for pid in fresh:
                try:
                    os.kill(pid, signum)
                except (ProcessLookupError, PermissionError):
                    pass
            sent.update(fresh)

    def kill(self) -> None:
        """SIGKILL the worker's process group, and every process of its user."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.uid is not None:
            users.kill_all(self.uid, self.gid)

    def close(self) -> None:
        self.watchdog.stopped.set()
        self.watchdog.join(5)  # a kill in flight must land before a next worker of this user starts
        self.kill()
        self.process.wait()
        self.channel.close()
        os.close(self.output_fd)


def _process_groups() -> list[tuple[int, int]]:
    """(pid, process group) of every process."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            found.append((int(entry.name), int(stat[stat.rindex(")") + 2:].split()[2])))
    return found
