"""Warm judges: `grader batch` imports torch, pytest and the grader once per slot instead of
once per grading, and still grades every submission in a `grader grade` process of its own.

A warm judge (`python -m grader.batch.warm ASSIGNMENT`, one per concurrent slot) imports
what every judge imports (torch, and the torch._dynamo torch loads at a judge's first
optimizer; pytest; the grader's judge, sandbox client and toolkit) and reads the
assignment's config and registers its datasets. It never imports a test module or a
conftest and never runs pytest. For each submission it forks a child that is `grader
grade` from its first line on: a process group of its own, fd 1 and 2 on the
submission's grade.log, then `grader.cli.main(["grade", ...])`: staging, pytest with the
grader plugin, sandboxed workers of its own, results.json written by the plugin (or by the
runner's fallback). The child exits when it is done, so whatever a grading changed (module
globals, caches, the datasets it loaded) ends with it and the next grading starts from the
warm state again; a crash loses only its own submission. Each grading starts its own
workers' zygote (`grader.sandbox.starts`): each sandboxed worker is a fresh process forked
from it, never from a judge, and stays below the grading's process, so a grading stopped
for overrunning takes its workers with it. The host's world-writable folders (where a
worker's user may have left files) are found once, before the first fork.

fork() copies only the thread that calls it, and a lock another thread held stays locked in
the child for ever, so a warm judge forks only while it is the one thread of its process
(checked in /proc once it has imported all it needs; it runs nothing after that). numpy's
OpenBLAS starts threads when it is imported and stops them in a fork handler of its own
(before the fork): one empty fork after the imports stops them. Torch starts its thread
pools at the first parallel operation, which only gradings run; CUDA is initialised only
by gradings too, each with the GPU of its slot.

The batch talks to a warm judge over its stdin and stdout, one JSON object a line:

    judge -> batch   {"ready": true}        imported, single-threaded, waiting
    batch -> judge   {"argv": ["grade", ...], "log": ".../grade.log"}
    judge -> batch   {"pid": 1234}          the grading runs, in process group 1234
    judge -> batch   {"code": 0}            it ended (Popen.returncode: -9 for SIGKILL)
    judge -> batch   {"error": "..."}       instead of ready: it could not start

A grading that ended stays a zombie until the next request (or the end of the input), so
that its pid names it, and nothing else, for as long as the batch may kill it.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import runpy
import select
import shlex
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from grader.batch import grading
from grader.sandbox import writable

READY_TIMEOUT_S = 600  # importing takes seconds; a judge that stays silent this long is stuck
# What every judge imports, besides the toolkit (all of it: tests import its modules).
# torch imports torch._dynamo (and sympy) at the first optimizer a judge builds: seconds.
PRELOADED = ("torch", "torch._dynamo", "grader.cli", "grader.judge.runner",
             "grader.sandbox.backend")


class JudgeLost(Exception):
    """The warm judge ended, hung or cannot fork: the grading it had, if any, is lost."""


class WarmJudge:
    """The batch's side of one slot's warm judge. It starts importing when created, and
    again when a grading needs it after it was lost."""

    def __init__(self, assignment_root: Path, env: dict):
        self.command = [sys.executable, "-m", "grader.batch.warm", str(assignment_root.resolve())]
        self.env = env
        self.process: subprocess.Popen | None = None
        self._start()

    def _start(self) -> None:
        # Unbuffered, so that select() sees every reply that has not been read yet.
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        bufsize=0, env=self.env, start_new_session=True)
        self.ready = False

    def grade(self, argv: list[str], log: Path, pytest_args: Sequence[str]) -> Grading:
        """Start the grading `grader ARGV` (ARGV[0] is "grade") with PYTEST_ADDOPTS set to
        exactly `pytest_args`, its output in `log`."""
        if self.process is None:
            self._start()
        if not self.ready:
            try:
                self.receive("ready", READY_TIMEOUT_S)
            except TimeoutError:
                self._lost(f"the warm judge was not ready after {READY_TIMEOUT_S} s")
            self.ready = True
        self._send({"argv": argv, "log": str(log), "addopts": shlex.join(pytest_args)})
        return Grading(self, self.receive("pid")["pid"])

    def receive(self, key: str, timeout: float | None = None) -> dict:
        """The judge's next message, which must carry `key`; TimeoutError if none came."""
        replies = self.process.stdout
        if timeout is not None and not select.select([replies], [], [], timeout)[0]:
            raise TimeoutError
        try:
            message = json.loads(replies.readline())
        except ValueError:  # the end of its output: it has ended
            message = {}
        if key not in message:
            self._lost(message.get("error") or self._ending())
        return message

    def _send(self, message: dict) -> None:
        try:
            self.process.stdin.write(json.dumps(message).encode() + b"\n")
        except BrokenPipeError:
            self._lost(self._ending())

    def _ending(self) -> str:
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return "the warm judge stopped answering"
        return "the warm judge ended " + (f"(killed by {grading.signal_name(-code)})" if code < 0
                                          else f"(exit code {code})")

    def _lost(self, why: str) -> NoReturn:
        """Drop the judge (the next grading starts a new one) and say why."""
        self.process.kill()
        self.close()
        raise JudgeLost(why)

    def close(self) -> None:
        """At the end of its input the judge reaps its last grading and exits."""
        if self.process is None:
            return
        process, self.process = self.process, None
        process.stdin.close()
        process.stdout.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Grading:
    """A grading a warm judge forked: waited for and killed like a `grader grade` process."""

    def __init__(self, judge: WarmJudge, pid: int):
        self.judge, self.pid = judge, pid
        self.started = time.monotonic()

    def wait(self, timeout: float) -> grading.Finished:
        try:
            try:
                code = self.judge.receive("code", timeout)["code"]
            except TimeoutError:
                self.kill()
                self.judge.receive("code")  # its judge saw it die
                return grading.Finished.overran(timeout, self.seconds())
        except JudgeLost as lost:
            self.kill()  # orphaned: whatever is left of it must not run on
            return grading.Finished(None, self.seconds(), str(lost))
        return grading.Finished.exited(code, self.seconds())

    def kill(self) -> None:
        grading.kill_tree(self.pid)

    def seconds(self) -> float:
        return round(time.monotonic() - self.started, 3)


# ---- the warm judge's process ----------------------------------------------------------

def serve(assignment_root: Path) -> int:
    """Warm up, then fork a grading for each request on stdin (see the module docstring)."""
    replies = os.dup(1)
    _redirect(os.devnull)  # what importing prints must not reach the replies
    try:
        warm_up(assignment_root)
        writable.world_writable()  # cached: found once for all this judge's gradings
        _stop_openblas_threads()
        _check_single_threaded()
    except Exception as exc:  # noqa: BLE001 - the batch reports it on the submission's row
        _reply(replies, {"error": f"the warm judge could not start: {type(exc).__name__}: "
                                  f"{exc}"})
        return 1
    _reply(replies, {"ready": True})
    grading = 0
    for line in sys.stdin.buffer:
        _reap(grading)  # the batch is done with it: it asks for the next one
        request = json.loads(line)
        grading = os.fork()
        if grading == 0:
            os.close(replies)
            os.environ["PYTEST_ADDOPTS"] = request["addopts"]
            _grade(request["argv"], request["log"])
        # The child does the same: whichever runs first, the group exists before the batch
        # hears the pid. The child may have ended already.
        with contextlib.suppress(OSError):
            os.setpgid(grading, grading)
        _reply(replies, {"pid": grading})
        _reply(replies, {"code": _exit_code(grading)})
    _reap(grading)
    return 0


def warm_up(assignment_root: Path) -> None:
    """Import what every judge imports, read the assignment and register its datasets."""
    import grader.toolkit
    from grader.assignment import loading
    from grader.judge.registration import register_datasets

    for name in PRELOADED:
        importlib.import_module(name)
    for module in pkgutil.walk_packages(grader.toolkit.__path__, "grader.toolkit."):
        importlib.import_module(module.name)
    register_datasets(loading.load(assignment_root))


def _stop_openblas_threads() -> None:
    """OpenBLAS stops its threads before each fork (and starts them again when used)."""
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)


def _check_single_threaded() -> None:
    threads = len(os.listdir("/proc/self/task"))
    if threads > 1:
        raise RuntimeError(f"the warm judge runs {threads} threads, so it cannot fork a "
                           "grading safely (a thread's lock would stay locked in the grading)")


def _grade(argv: list[str], log: str) -> NoReturn:
    """In the forked child: be `python -m grader.cli ARGV` as the batch would start it, exit.

    It exits without the interpreter's clean-up: what it wrote is complete when `main`
    returns, and the warm judge's stack it was forked from must not unwind here."""
    code = 1
    try:
        os.setpgid(0, 0)  # killed as a group, like a `grader grade` in a session of its own
        stdin = os.open(os.devnull, os.O_RDONLY)  # not the batch's requests
        os.dup2(stdin, 0)
        os.close(stdin)
        _redirect(log)
        code = _main(argv)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _main(argv: list[str]) -> int:
    """`python -m grader.cli ARGV` run as its own program (runpy, as `-m` runs it): its exit
    status and traceback as the interpreter gives them. The warm judge runs the command-line
    program, as a process would; it does not use the CLI as a library."""
    sys.argv = ["grader", *argv]
    try:
        runpy.run_module("grader.cli", run_name="__main__", alter_sys=True)
        return 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:  # noqa: BLE001 - as an uncaught exception ends the interpreter
        traceback.print_exc()
        return 1


def _redirect(output: str) -> None:
    """fd 1 and 2 to `output`, created or truncated."""
    out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)


def _reply(fd: int, message: dict) -> None:
    os.write(fd, json.dumps(message).encode() + b"\n")  # one write: the line arrives whole


def _exit_code(pid: int) -> int:
    """How the grading ended, as Popen.returncode says it; it stays a zombie (WNOWAIT)."""
    status = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    return status.si_status if status.si_code == os.CLD_EXITED else -status.si_status


def _reap(pid: int) -> None:
    if pid:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    sys.exit(serve(Path(sys.argv[1])))
