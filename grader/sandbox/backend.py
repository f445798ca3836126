"""The sandboxed backend: the judge's end of the seam, one worker process at a time.

A fault in the worker (a timeout, an exit, a crash, too much memory, a sticky
CUDA error) fails only the call in flight, with a message for the student; the
worker is replaced at once, and handles from the old one fail clearly (the
dispatcher's ref ids carry the worker generation).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from grader import host
from grader.assignment import Assignment
from grader.judge.client import SubmissionError, describe_target
from grader.judge.files import NEVER, SHADOWED
from grader.sandbox import policy as policies
from grader.sandbox import users, writable
from grader.sandbox.hiding import PermissionHiding
from grader.sandbox.process import WorkerFault, WorkerProcess

START_TIMEOUT_S = 180.0  # importing torch on a loaded machine; never charged to the student
_GRADER_PROBLEM = ("The grader could not set up the sandbox for your code ({}). This is a "
                   "problem with the grader, not your code; please tell the course staff.")


class SandboxBackend:
    name = "sandbox"

    def __init__(self, root: str | Path, modules: list[str], *, assignment: Assignment,
                 trusted: bool = False, time_left: Callable[[], float] | None = None,
                 private: tuple = (), memory_mb: int | None = None):
        """`trusted`: the reference solution, run apart but as the judge's user, unhidden."""
        self.assignment = assignment
        self.time_left = time_left or (lambda: float("inf"))
        self.limits = policies.Limits.of(assignment, memory_mb)
        self.notes: dict[str, str] = {}
        self.user = None if trusted else self._acquire_user()
        self.home = tempfile.mkdtemp(prefix="grader-worker-")
        self.scratch = self._stage(Path(root), modules)
        self.helper_module = self._stage_helpers(assignment.helpers_module)
        self.policy = self._policy(modules, [Path(p) for p in private])
        self.generation = 0
        self.applied: dict = {}  # what the launcher of the last ready worker applied
        self.started_as = "no worker started"  # how the last ready worker started (`starts`)
        self.hiding: PermissionHiding | None = None
        self.worker: WorkerProcess | None = None
        self.heaviest_call_s = 0.0  # CPU time per CPU of the costliest call (for call_timeout_s)
        self._start()  # now: importing torch overlaps with the judge's own work

    # -- setting up ------------------------------------------------------------------

    def _acquire_user(self) -> users.WorkerUser | None:
        """A user of the worker's own; as root, grading without one is not an option."""
        if os.geteuid() != 0:
            self.notes["user"] = "not switched: the judge is not root, so it cannot switch users"
            return None
        try:
            return users.acquire()
        except users.NoWorkerUser as exc:
            raise SubmissionError(_GRADER_PROBLEM.format(f"no user to run your code as: {exc}"))

    def _stage(self, root: Path, modules: list[str]) -> str:
        """Copy the allowed files into a folder the worker owns; the rest stays unseen."""
        scratch = Path(self.home) / "submission"
        scratch.mkdir(mode=0o700)
        names = self.assignment.files or [f"{m}.py" for m in modules]
        for name in names:
            if (root / name).is_file() and name not in NEVER and Path(name).stem not in SHADOWED:
                shutil.copyfile(root / name, scratch / name)
        if self.user:
            os.chmod(self.home, 0o711)  # the worker may pass through, not list
            for path in [scratch, *scratch.iterdir()]:
                os.chown(path, self.user.uid, self.user.gid)
        return str(scratch)

    def _stage_helpers(self, module: Path | None) -> str | None:
        """The assignment's helper module, where the worker can read it but not change it.

        The assignment folder itself is hidden from the worker (hidden tests live
        there); this folder is the judge's, and the launcher binds it read-only.
        """
        if module is None:
            return None
        folder = Path(self.home) / "helpers"
        folder.mkdir(mode=0o755)
        target = folder / "assignment_helpers.py"
        shutil.copyfile(module, target)
        os.chmod(target, 0o644)
        return str(target)

    def _policy(self, modules: list[str], private: list[Path]) -> policies.Policy:
        isolate = self.user is not None
        helpers = ["--helpers", self.helper_module] if self.helper_module else []
        return policies.Policy(
            scratch=self.scratch,
            worker_args=["--root", self.scratch, "--modules", ",".join(modules), *helpers],
            uid=self.user.uid if self.user else None,
            gid=self.user.gid if self.user else None,
            isolate=isolate,
            hide=policies.hidden_paths(self.assignment, private) if isolate else [],
            keep=policies.kept_paths() + (
                [str(Path(self.helper_module).parent)] if self.helper_module else []),
            secrets=policies.grader_secrets(),
            writable=writable.world_writable() if isolate else [],
            limits=self.limits,
            env=policies.worker_env(self.scratch),
        )

    def _start(self) -> None:
        if self.user is not None:  # leftovers (a fork bomb's sleepers) would count as the new one's
            users.kill_all(self.user.uid, self.user.gid)
            self.user.starting()
        args = [*self.policy.worker_args, "--generation", str(self.generation)]
        self.worker = WorkerProcess(replace(self.policy, worker_args=args), self.home)

    def _ready(self) -> WorkerProcess:
        """The current worker, once it has started; a grader problem if it cannot."""
        worker = self.worker
        if worker is None:
            self._start()
            worker = self.worker
        if worker.applied:
            return worker
        try:
            self.applied = worker.wait_ready(min(START_TIMEOUT_S, max(self.time_left(), 1.0)))
            self.started_as = worker.start
            if self.user:
                self.user.ready(self.applied)
        except WorkerFault as fault:
            output = self._retire(restart=False)[-1000:]
            raise SubmissionError(_GRADER_PROBLEM.format(f"a worker {fault}: {output}")) from None
        if self.user and not self.applied.get("hidden"):  # no mount namespace: use file modes
            self.hiding = self.hiding or PermissionHiding(
                self.policy.hide, self.policy.keep, self.policy.secrets)
            self.applied["hidden"] = self.hiding.apply()
            self.applied["hidden_by"] = "file modes (no mount namespace), restored after grading"
        return worker

    # -- the seam --------------------------------------------------------------------

    def exchange(self, request: dict, buffers: list) -> tuple[dict, list]:
        what = describe_target(request.get("target") or {})
        worker = self._ready()
        left = self.time_left()
        if left <= 0:
            return _fault(what, "was not run: the time budget of the grading run is spent"), []
        cpu_s = self.assignment.call_timeout_s
        wall_cap = cpu_s * self.assignment.settings.grading.call_wall_factor
        try:
            reply, out = worker.exchange(request, buffers, cpu_s, min(wall_cap, left))
        except WorkerFault as fault:
            budget_spent = fault.waited and left < wall_cap
            if budget_spent:
                fault = WorkerFault(f"was stopped after {left:.0f} s: the time budget of the "
                                    "whole grading run ran out")
            reply = _fault(what, str(fault), self._retire(), fault.grader_fault)
            reply["error"]["budget_spent"] = budget_spent
            return reply, []
        finally:
            self.heaviest_call_s = max(self.heaviest_call_s, worker.heaviest_call_s)
        reply["output"] = (reply.get("output") or "") + worker.take_output()
        if _sticky_cuda(reply.get("error")):
            reply["error"]["message"] += (" (the GPU cannot be used after this error, so the "
                                          "grader restarted your code)")
            self._retire()
        return reply, out

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Every process of this worker stopped (SIGSTOP) for the duration.

        While the judge times the reference, nothing the student left running
        (a busy thread, a child process) can take CPU from it.
        """
        worker = self.worker if self.worker is not None and self.worker.applied else None
        if worker is None:
            yield
            return
        worker.signal_all(signal.SIGSTOP)
        try:
            yield
        finally:
            worker.signal_all(signal.SIGCONT)

    def _retire(self, restart: bool = True) -> str:
        """End the current worker; start the next generation. Returns its last output."""
        worker, self.worker = self.worker, None
        output = ""
        if worker is not None:
            worker.kill()
            output = worker.take_output()
            worker.close()
        self.generation += 1
        if restart:
            self._start()
        return output

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        writable.remove([self.home])  # first: the staged copy is the user's (`release`)
        if self.user is not None:
            self.user.release()
        if self.hiding is not None:
            self.hiding.restore()

    # -- reporting ---------------------------------------------------------------------

    @property
    def protections(self) -> dict:
        """What protected this run, for results.json's extra_data (and what did not)."""
        applied = self.applied
        missing = [f"{k}: {v}" for k, v in self.notes.items()]
        writing, files_note = self._writing()
        report = {
            "worker": "separate process: python -I -m grader.worker, in a scratch "
                      "copy of the allowed files",
            "worker_start": self.started_as,
            "user": f"{self.user.name} (uid {self.user.uid})" if self.user else "judge's user",
            "network": applied.get("network", "not isolated"),
            "ipc": applied.get("ipc", "not isolated"),
            "hidden_paths": applied.get("hidden", []),
            "hidden_by": applied.get("hidden_by") or (
                "empty folders mounted over them (mount namespace)" if applied.get("hidden")
                else "nothing"),
            "kept_paths": applied.get("kept", []),
            **writing,
            "blocked_calls": applied.get("blocked_calls", []),
            "rlimits": applied.get("rlimits", {}),
            "no_new_privileges": applied.get("no_new_privileges", False),
            "memory_watchdog_mb": self.limits.memory_mb,
            "call_timeout_s": self.assignment.call_timeout_s,
            "call_timeout_counts": "CPU seconds on each CPU the worker may use",
            "call_cpus": host.usable_cpus(),
            "call_wall_cap_s": self.assignment.call_timeout_s
            * self.assignment.settings.grading.call_wall_factor,
            "heaviest_call_cpu_s": round(self.heaviest_call_s, 1),
            "time_budget_s": self.assignment.time_budget_s,
        }
        if applied.get("isolation_error"):
            missing.append(f"namespaces: {applied['isolation_error']}")
        if "network" not in applied:
            missing.append("network: not isolated (needs root and network namespaces)")
        if not applied.get("hidden"):
            missing.append("hidden files: the worker can read whatever the judge's user can")
        if files_note:
            missing.append(files_note)
        if applied.get("keyrings_error"):
            missing.append(f"keyrings: not blocked ({applied['keyrings_error']}), so keys the "
                           "worker adds to its user's keyrings outlive it")
        report["not_active"] = missing
        return report

    def _writing(self) -> tuple[dict, str | None]:
        """Where the worker could write, what keeps its writing from outliving it, and what
        falls short (for not_active)."""
        applied = self.applied
        if applied.get("writable"):
            size = applied["private_scratch_mb"]
            return {"writable_paths": applied["writable"], "private_scratch_mb": size,
                    "writable_by": f"one private tmpfs of {size} MB behind them all, which ends "
                                   "with the worker; the rest of the host is read-only (mount "
                                   "namespace)"}, None
        if self.user:
            return {"writable_paths": [self.scratch, *writable.world_writable()],
                    "writable_by": "file modes: a user of its own writes only there; what it "
                                   "owns there and its SysV IPC objects are removed when it "
                                   "ends"}, (
                "private files: no mount namespace, so the worker writes in the host's "
                "world-writable folders, which gradings running at the same time share, and "
                "in a scratch without a size cap (what it wrote is removed when it ends)")
        return {"writable_paths": ["wherever the judge's user can write"],
                "writable_by": "nothing"}, (
            "private files: the worker's files and SysV IPC objects outlive it (the judge is "
            "not root: it can neither give the worker folders of its own nor remove them)")


def _fault(what: str, message: str, output: str = "", grader_fault: bool = False) -> dict:
    return {"ok": False, "output": output,
            "error": {"type": "WorkerFault", "message": f"{what} {message}", "frames": [],
                      "grader_fault": grader_fault}}


def _sticky_cuda(error: dict | None) -> bool:
    """Errors after which a CUDA context is unusable for the rest of the process."""
    if not error:
        return False
    return error.get("type") == "AcceleratorError" or "CUDA error" in error.get("message", "")
