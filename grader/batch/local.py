"""The gradings of a batch on this machine: a number of slots, each with a warm judge
(`grader.batch.warm`) and, where there are GPUs, a GPU of its own (`grader.host`)."""

from __future__ import annotations

import contextlib
import dataclasses
import queue
import threading
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from grader import host
from grader.assignment import Assignment
from grader.batch import warm
from grader.batch.grading import Finished, Job, Options, grade_argv, grade_env
from grader.batch.scheduling import Ended


@dataclass(frozen=True)
class LocalScheduler:
    """Up to `slots` gradings at once, as children of warm judges on this machine."""

    assignment: Assignment
    options: Options
    slots: int

    def run(self, jobs: Sequence[Job]) -> Generator[Ended, None, None]:
        slots = min(self.slots, len(jobs))
        pool = JudgePool([warm.WarmJudge(self.assignment.root, self._env(gpu))
                          for gpu in host.gpu_slots(slots, self.options.device)])
        timeout = self.options.timeout_for(self.assignment)
        with contextlib.closing(pool), \
                ThreadPoolExecutor(max_workers=slots, thread_name_prefix="grading") as executor:
            futures = {executor.submit(pool.grade, job, self._argv(job), timeout): job
                       for job in jobs}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            finally:  # finished, or stopping: cancel what has not started, kill the rest
                for future in futures:
                    future.cancel()
                pool.stop()

    def alone(self) -> LocalScheduler:
        return dataclasses.replace(self, slots=1)

    def _env(self, gpu: str | None) -> dict:
        return grade_env(self.options.pytest_args,
                         {"CUDA_VISIBLE_DEVICES": gpu} if gpu is not None else None)

    def _argv(self, job: Job) -> list[str]:
        return grade_argv(self.assignment.root, job.submission.path, job.results,
                          device=self.options.device, report=job.report)


@dataclass
class JudgePool:
    """Concurrent gradings, one per slot, each slot with a warm judge; all killed if the
    batch stops."""

    judges: list[warm.WarmJudge]  # one per slot
    running: set[warm.Grading] = field(default_factory=set)
    stopping: bool = False

    def __post_init__(self):
        self.lock = threading.Lock()
        self.free: queue.Queue[int] = queue.Queue()
        for slot in range(len(self.judges)):
            self.free.put(slot)

    def grade(self, job: Job, argv: list[str], timeout: float) -> Finished:
        """Grade `job` in the first free slot, once one is free."""
        slot = self.free.get()
        try:
            if self.stopping:
                return Finished(None, 0.0, "the batch was stopped")
            try:
                grading = self.judges[slot].grade(argv, job.log, job.pytest_args)
            except warm.JudgeLost as lost:
                return Finished(None, 0.0, str(lost))
            return self._wait(grading, timeout)
        finally:
            self.free.put(slot)

    def _wait(self, grading: warm.Grading, timeout: float) -> Finished:
        with self.lock:
            self.running.add(grading)
            if self.stopping:  # stop() came while it started, and missed it
                grading.kill()
        try:
            return grading.wait(timeout)
        finally:
            with self.lock:
                self.running.discard(grading)

    def stop(self) -> None:
        """Kill the gradings in flight. Under the lock: a grading still in `running` has
        not been reaped by its judge, so its pid is still its own."""
        with self.lock:
            self.stopping = True
            for grading in self.running:
                grading.kill()

    def close(self) -> None:
        for judge in self.judges:
            judge.close()
