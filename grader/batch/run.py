"""Grade many submissions, each exactly as `grader grade` does, in parallel and resumably.

Every grading is a process of its own running `grader grade ASSIGNMENT SUBMISSION -o
OUTDIR/<id>/results.json`: the file is the one `grader grade` writes (the judge
writes it atomically), and a judge that crashes or hangs takes down only its own
row. Locally, each concurrent slot keeps a warm judge (`grader.batch.warm`) that has
imported torch, pytest and the grader once and forks a fresh `grader grade` for each
submission; on Ray, and for `grader ci`, it is a new `python -m grader.cli grade`.
Each judge holds a worker user of its own from the sandbox's pool, so concurrent
gradings never share one.

OUTDIR/<id>/
    results.json        the judge's, or a grader-problem document when the judge failed
    grade.log           the judge's terminal output (staff only: it names hidden tests)
    pytest-report.json  pytest-json-report's report (staff only; recorded accuracies)
    grading.json        written last, only for a finished grading: what it was graded
                        with (digests of the assignment and the submission, options).
                        `resume` skips a submission only when this matches.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import math
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import grader
from grader.batch import warm
from grader.batch.grading import Finished, Job, Options, collect, grade_argv, grade_env
from grader.batch.sources import Submission
from grader.judge import config as configs
from grader.judge import results
from grader.judge.config import Assignment

log = logging.getLogger("grader.batch")

MEMORY_PER_GRADING = 2.5 * 2**30  # judge + student worker + reference worker, CUDA wheels
GRADED, RESUMED, FAILED = "graded", "resumed", "failed"


@dataclass
class GradedSubmission:
    """How one submission's grading went. `document` is its results.json."""

    submission: Submission
    document: dict
    state: str                  # GRADED, RESUMED (by an earlier run) or FAILED (grader problem)
    seconds: float = 0.0
    problem: str = ""           # why FAILED

    @property
    def failed(self) -> bool:
        return self.state == FAILED

    @functools.cached_property
    def graded(self) -> results.Results:
        """The document, read (once: the reports ask for it per test): score, maximum, rows."""
        return results.read(self.document)


@contextlib.contextmanager
def stopped_by_kill() -> Iterator[None]:
    """`kill` (SIGTERM) stops the gradings as Ctrl-C does: a KeyboardInterrupt, so each
    grading still running is stopped with its process group, and none is left behind."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---- what resume compares --------------------------------------------------------------

def digest(*paths: Path | None) -> str:
    """SHA-256 over files (a zip's bytes, a folder's relative paths and contents)."""
    total = hashlib.sha256()
    for root in filter(None, paths):
        files = [root] if root.is_file() else sorted(
            p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            name = path.name if path == root else path.relative_to(root).as_posix()
            total.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


def grading_key(assignment: Assignment, options: Options) -> dict:
    """What makes two gradings of the same submission the same."""
    return {"assignment": digest(assignment.root, assignment.reference),
            "grader": grader.__version__, "device": options.device,
            "pytest_args": list(options.pytest_args)}


def already_graded(job: Job, key: dict) -> bool:
    try:
        marker = json.loads(job.marker.read_text())
    except (OSError, ValueError):
        return False
    return (job.results.is_file() and marker.get("key") == _key_of(job, key)
            and marker.get("submission") == job.fingerprint
            and not marker.get(results.REGRADE))


def _key_of(job: Job, key: dict) -> dict:
    """The batch's key, with the options this submission was graded with."""
    return {**key, "pytest_args": list(job.pytest_args)}


def settle(job: Job, finished: Finished, key: dict) -> GradedSubmission:
    """Turn a finished grading into an outcome; mark it done only if the judge finished."""
    document = collect(job.results, finished)
    if finished.ok:
        results.write_atomic(job.marker, {"key": _key_of(job, key),
                                          "submission": job.fingerprint,
                                          "seconds": finished.seconds,
                                          results.REGRADE: results.needs_regrade(document)})
        return GradedSubmission(job.submission, document, GRADED, finished.seconds)
    return GradedSubmission(job.submission, document, FAILED, finished.seconds, finished.problem)


# ---- many gradings ---------------------------------------------------------------------

def default_jobs() -> int:
    """As many gradings at once as there are CPUs, and memory for each."""
    cpus = len(os.sched_getaffinity(0))
    memory = results.memory_limit() or 8 * 2**30
    return max(1, min(cpus, int(memory // MEMORY_PER_GRADING)))


def visible_gpus() -> list[str]:
    """The GPUs this process may use: CUDA_VISIBLE_DEVICES if set, else what nvidia-smi lists."""
    if "CUDA_VISIBLE_DEVICES" in os.environ:
        return [g.strip() for g in os.environ["CUDA_VISIBLE_DEVICES"].split(",") if g.strip()]
    try:
        listed = subprocess.run(["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
                                capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return listed.stdout.split() if listed.returncode == 0 else []


def gpu_slots(jobs: int, device: str) -> list[str | None]:
    """The GPU each concurrent grading slot uses, shared out round-robin (None: no GPU)."""
    gpus = [] if device == "cpu" else visible_gpus()
    if not gpus:
        return [None] * jobs
    if jobs > len(gpus):
        log.warning("%d gradings at a time share %d GPU(s): up to %d trainings may run on one "
                    "GPU at once. Each grading sees only the GPU it was given.",
                    jobs, len(gpus), math.ceil(jobs / len(gpus)))
    else:
        log.info("Each grading has a GPU of its own (%s).", ", ".join(gpus[:jobs]))
    return [gpus[slot % len(gpus)] for slot in range(jobs)]


@dataclass
class _Pool:
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
        slot = self.free.get()
        try:
            if self.stopping:
                return Finished(None, 0.0, "the batch was stopped")
            try:
                grading = self.judges[slot].grade(argv, job.log, job.pytest_args)
            except warm.JudgeLost as lost:
                return Finished(None, 0.0, str(lost))
            with self.lock:
                self.running.add(grading)
                if self.stopping:  # stop() came while it started, and missed it
                    grading.kill()
            try:
                return grading.wait(timeout)
            finally:
                with self.lock:
                    self.running.discard(grading)
        finally:
            self.free.put(slot)

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


def _run_locally(assignment: Assignment, todo: list[Job], options: Options,
                 jobs: int) -> Iterator[tuple[Job, Finished]]:
    jobs = min(jobs, len(todo))
    pool = _Pool([warm.WarmJudge(assignment.root, grade_env(
        options.pytest_args, {"CUDA_VISIBLE_DEVICES": gpu} if gpu is not None else None))
        for gpu in gpu_slots(jobs, options.device)])
    timeout = options.timeout_for(assignment)
    with contextlib.closing(pool), \
            ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grading") as executor:
        futures = {executor.submit(pool.grade, job, grade_argv(
            assignment.root, job.submission.path, job.results, device=options.device,
            report=job.report), timeout): job for job in todo}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:  # finished, or the batch is stopping: cancel what has not started, kill the rest
            for future in futures:
                future.cancel()
            pool.stop()


def grade_many(assignment: Assignment | str | Path, submissions: Iterable[Submission | Path],
               outdir: str | Path, *, jobs: int | None = None, device: str = "auto",
               pytest_args: Sequence[str] = (), resume: bool = False,
               timeout_s: float | None = None, cluster=None,
               own_args: Mapping[str, Sequence[str]] | None = None
               ) -> Iterator[GradedSubmission]:
    """Grade each submission as `grader grade` would; yield an GradedSubmission as each one finishes.

    assignment   an Assignment, or a name under assignments/ or a path to one
    submissions  Submission objects, or paths (folders or zips; the id is the name)
    outdir       OUTDIR/<id>/results.json (and the files listed above) for each
    jobs         gradings at once (default: from the CPU count and memory)
    device       passed to `grader grade --device`; GPUs are shared out between the slots
    pytest_args  extra pytest options for every grading (e.g. ["-k", "not slow"])
    resume       skip submissions already graded with the same assignment, submission
                 and options (yielded first, as RESUMED); grade the rest, and those
                 whose grading was marked for a regrade
    timeout_s    kill a grading after this long (default: the time budget plus slack)
    cluster      a grader.batch.ray_backend.Cluster: run the gradings as Ray tasks
    own_args     more pytest options for single submissions, by id (`grader mutate`
                 grades each mutant with the tests that reach its change)

    Gradings run as child processes; a grading whose process fails gets a valid
    results.json saying so (state FAILED). A grading marked for a regrade
    (`results.needs_regrade`) is yielded only after it has been graded again, alone,
    at the end. Stopping the iteration early kills
    the gradings still running and marks none of them done.
    """
    if not isinstance(assignment, Assignment):
        assignment = configs.resolve(str(assignment))
    outdir = Path(outdir)
    outdir.mkdir(mode=0o700, parents=True, exist_ok=True)  # workers must not read others' rows
    options = Options(device, tuple(pytest_args), timeout_s)
    key = grading_key(assignment, options)
    todo = []
    for submission in submissions:
        if not isinstance(submission, Submission):
            submission = Submission(Path(submission).stem, Path(submission))
        job = Job(submission, outdir / submission.id, digest(submission.path),
                  (*options.pytest_args, *(own_args or {}).get(submission.id, ())))
        if resume and already_graded(job, key):
            yield GradedSubmission(submission, json.loads(job.results.read_text(encoding="utf-8")),
                          RESUMED)
            continue
        job.folder.mkdir(exist_ok=True)
        job.marker.unlink(missing_ok=True)  # from here on, this submission counts as not graded
        job.results.unlink(missing_ok=True)
        todo.append(job)
    flagged = []
    for job, outcome in _graded(assignment, todo, options, jobs or default_jobs(), cluster, key):
        if results.needs_regrade(outcome.document):
            flagged.append(job)  # yielded after its regrade, below
        else:
            yield outcome
    if flagged:
        # A timing the machine disturbed, a worker killed from outside: graded again at
        # the end, alone, when the batch no longer loads the machine.
        log.info("%d grading(s) marked for a regrade: grading them again, one at a time",
                 len(flagged))
    for _, outcome in _graded(assignment, flagged, options, 1, cluster, key):
        yield outcome  # still marked: its results.json says so, for the staff


def _graded(assignment: Assignment, todo: list[Job], options: Options, jobs: int, cluster,
            key: dict) -> Iterator[tuple[Job, GradedSubmission]]:
    if not todo:
        return
    if cluster is not None:
        from grader.batch import ray_backend

        finished = ray_backend.run(cluster, assignment, todo, options)
    else:
        finished = _run_locally(assignment, todo, options, jobs)
    with contextlib.closing(finished):  # stopping early stops the gradings too
        for job, how in finished:
            yield job, settle(job, how, key)
