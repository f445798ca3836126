"""One worker process seen from the judge: its pipes, its output, its memory, its death.

Everything that comes out of the worker is untrusted: replies are read within a
deadline and a size cap, and any deviation (too much CPU or wall-clock time, an
early end, a malformed frame, too much memory) ends the worker and becomes a
`WorkerFault` whose message is written for the student.

A call's limit counts CPU time, not wall-clock time: a machine busy with other
work makes a call slower but not costlier, so it cannot push a correct
submission over the limit. A call that waits instead of computing (a sleep, a
deadlock) uses no CPU; a wall-clock cap several times the limit stops it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import select
import signal
import subprocess
import threading
import time

from grader import host
from grader.sandbox import starts, users
from grader.sandbox.policy import Policy
from grader.wire import WireError, read_message, write_message

MAX_REPLY_BYTES = 2 * 2**30
PIPE_BYTES = 1 << 20          # larger pipes: fewer wake-ups for big tensors
OUTPUT_LIMIT = 20_000         # bytes of fd-level output kept per call
WATCH_INTERVAL_S = 0.2


class WorkerFault(Exception):
    """The worker could not answer; `str()` completes "models.f ..." for the student.

    `grader_fault`: nothing the student's code hit (no time limit, no watchdog)
    explains it, e.g. a SIGKILL from the host's out-of-memory killer. `waited`: the
    call reached its wall-clock deadline.
    """

    def __init__(self, message: str, *, grader_fault: bool = False, waited: bool = False):
        super().__init__(message)
        self.grader_fault, self.waited = grader_fault, waited


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


class CallClock:
    """The CPU time one call has used: every process of the worker, all their threads,
    and the children they waited for (a DataLoader's workers, say).

    The watchdog's first reading after the call starts is its zero, so starting a
    call costs no scan of /proc (timed calls would pay for it); the time before that
    reading, one poll interval at most, goes uncounted. Processes are told apart by
    (pid, start time). One that ends takes its time into its parent's children's
    time when the parent waits for it; its own count leaves the sum then, so nothing
    is counted twice. Time of a process nobody waits for is lost when it ends: the
    count errs on the student's side, and the wall-clock cap stays.
    """

    def __init__(self, limit_s: float):
        self.limit_s = limit_s
        self.start: dict[tuple[int, int], float] | None = None
        self.used = 0.0

    def update(self, now: dict[tuple[int, int], float]) -> bool:
        """Take a new reading; True once the call has used its CPU time."""
        if self.start is None:
            self.start = now
            return False
        gone = sum(t for key, t in self.start.items() if key not in now)
        used = sum(t - self.start.get(key, 0.0) for key, t in now.items()) - gone
        self.used = max(self.used, used)
        return self.used >= self.limit_s


class Watchdog(threading.Thread):
    """Polls the worker's processes; past the memory limit, or past the CPU time of the
    call in flight, it kills them all and leaves the reason in `worker.fault`."""

    def __init__(self, worker: WorkerProcess, limit_mb: int):
        super().__init__(daemon=True, name="grader-watchdog")
        self.worker, self.limit = worker, limit_mb * 2**20
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(WATCH_INTERVAL_S):
            pids = self.worker.pids()
            used = host.allocated(pids)
            self.peak = max(self.peak, used)
            if used > self.limit:
                self.worker.stop(f"used {used / 2**30:.1f} GB of memory, more than the "
                                 f"limit of {self.limit / 2**30:.1f} GB, and was stopped")
                return
            if self.worker.over_cpu(pids):
                return


class WorkerProcess:
    """A started worker: forked by the judge's zygote, or `python -I -m
    grader.sandbox.launch` that becomes the worker (`starts`; `start` says which)."""

    def __init__(self, policy: Policy, capture_dir: str):
        self.policy = policy
        self.uid, self.gid = policy.uid, policy.gid
        self.fault: str | None = None
        self.seq = 0
        self.cpus = host.usable_cpus()
        self.clock: CallClock | None = None  # the call in flight; the watchdog reads it
        self.heaviest_call_s = 0.0           # the most CPU time per CPU a call used, so far
        self.lock = threading.Lock()         # a call ends, or its clock kills it: not both
        # fd 1 and 2 of the worker: a nameless file of the judge's, emptied after each call.
        self.output_fd = os.open(capture_dir, os.O_TMPFILE | os.O_RDWR | os.O_APPEND, 0o600)
        self._launch()
        self.applied: dict = {}
        self.watchdog = Watchdog(self, policy.limits.memory_mb)
        self.watchdog.start()

    def _launch(self, cold_because: str | None = None) -> None:
        """Start the process that becomes the worker, with a pipe each way (`starts`)."""
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        for fd in (requests_w, replies_r):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self.process, self.start = starts.start(self.policy, (requests_r, replies_w),
                                                self.output_fd, cold_because)
        os.close(requests_r)
        os.close(replies_w)
        self.channel = Channel(replies_r, requests_w)

    def wait_ready(self, timeout: float) -> dict:
        """The worker's first message; what the launcher applied. A worker the zygote
        could not fork starts cold instead."""
        process = self.process
        if isinstance(process, starts.ZygoteChild) and not process.started(timeout):
            self.channel.close()
            self._launch(cold_because=process.failure)
        header, _ = self._receive(timeout, "start")
        if header.get("stage") != "ready":
            raise WorkerFault("could not be started: the worker sent no ready message")
        self.applied = header.get("applied") or {}
        return self.applied

    def exchange(self, request: dict, buffers: list, cpu_s: float, wall_s: float
                 ) -> tuple[dict, list]:
        """Send one request; the reply is the next message that carries its number.

        The call may use `cpu_s` seconds of CPU time on each CPU the worker may use
        (`host.usable_cpus`), and `wall_s` seconds of wall-clock time.
        """
        self.seq += 1
        with self.lock:
            self.clock = clock = CallClock(cpu_s * self.cpus)
        try:
            reply = self._call(request, buffers, wall_s)
        finally:
            with self.lock:
                self.clock = None
            self.heaviest_call_s = max(self.heaviest_call_s, clock.used / self.cpus)
        if self.fault:  # the watchdog stopped it as the reply came in
            raise WorkerFault(self.fault)
        return reply

    def _call(self, request: dict, buffers: list, wall_s: float) -> tuple[dict, list]:
        self.channel.deadline = time.monotonic() + wall_s
        try:
            write_message(self.channel, {**request, "seq": self.seq}, buffers)
        except _Timeout:
            self.kill()
            raise WorkerFault(f"did not accept its input within {wall_s:g} s",
                              waited=True) from None
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            raise self._death() from None
        deadline = self.channel.deadline
        while True:  # frames student code forged into the pipe do not answer this request
            reply, out = self._receive(deadline - time.monotonic(), "call", wall_s)
            if reply.get("seq") == self.seq:
                return reply, out

    def over_cpu(self, pids: list[int]) -> bool:
        """Read the clock of the call in flight; past its limit, stop the worker."""
        if self.clock is None:
            return False
        times = host.cpu_times(pids)  # read before the lock: a call that ends never waits for it
        with self.lock:
            clock = self.clock
            if clock is None or not clock.update(times):
                return False
            share = "" if self.cpus == 1 else (
                f": {clock.limit_s / self.cpus:g} s on each of the grading machine's "
                f"{self.cpus} CPUs")
            self.stop(f"used {clock.used:.0f} s of CPU time, the limit of one call "
                      f"({clock.limit_s:g} s{share}), and was stopped")
            return True

    def stop(self, reason: str) -> None:
        """Kill the worker for `reason`, which the call in flight then fails with."""
        self.fault = reason
        self.kill()

    def _receive(self, timeout: float, what: str, limit: float | None = None
                 ) -> tuple[dict, list]:
        self.channel.deadline = time.monotonic() + timeout
        self.channel.budget = MAX_REPLY_BYTES
        try:
            return read_message(self.channel)
        except _Timeout:
            self.kill()
            if what == "start":
                raise WorkerFault(f"did not start within {timeout:g} s and was stopped") from None
            used = self.clock.used if self.clock else 0.0
            raise WorkerFault(
                f"did not answer within {limit:g} s of wall-clock time and was stopped (it used "
                f"{used:.0f} s of CPU time meanwhile; a call that waits, for a sleep, a lock or "
                "a pipe, is stopped this way)", waited=True) from None
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
                "problem with the grading machine, not your code", grader_fault=True)
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
            return host.processes_of(self.uid)
        return host.in_group(self.process.pid)

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
        group = self.process.pid  # None: the zygote never forked it
        try:
            if group is not None:
                os.killpg(group, signal.SIGKILL)
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
