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
import hashlib
import json
import logging
import math
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import grader
from grader.batch import warm
from grader.batch.sources import Submission
from grader.judge import config as configs
from grader.judge import results
from grader.judge.config import Assignment

log = logging.getLogger("grader.batch")

MEMORY_PER_GRADING = 2.5 * 2**30  # judge + student worker + reference worker, CUDA wheels
GRADED, RESUMED, FAILED = "graded", "resumed", "failed"


@dataclass(frozen=True)
class Options:
    """How every grading of a batch runs (device and pytest_args count for `resume`)."""

    device: str = "auto"
    pytest_args: tuple[str, ...] = ()   # e.g. ("-m", "not training"): a quick, non-final run
    timeout_s: float | None = None      # per grading; default: the time budget plus slack

    def timeout_for(self, assignment: Assignment) -> float:
        """A backstop only: the judge stops itself at its time budget."""
        return self.timeout_s or assignment.time_budget_s * 1.25 + 120


@dataclass
class Outcome:
    """How one submission's grading went. `document` is its results.json."""

    submission: Submission
    document: dict
    state: str                  # GRADED, RESUMED (by an earlier run) or FAILED (grader problem)
    seconds: float = 0.0
    problem: str = ""           # why FAILED

    @property
    def failed(self) -> bool:
        return self.state == FAILED


@dataclass(frozen=True)
class Job:
    """One submission's place in the output folder."""

    submission: Submission
    folder: Path
    fingerprint: str = ""  # digest of the submission's files, as it was when planned

    @property
    def results(self) -> Path:
        return self.folder / "results.json"

    @property
    def log(self) -> Path:
        return self.folder / "grade.log"

    @property
    def report(self) -> Path:
        return self.folder / "pytest-report.json"

    @property
    def marker(self) -> Path:
        return self.folder / "grading.json"


@dataclass
class Finished:
    """How a `grader grade` process ended."""

    code: int | None
    seconds: float
    problem: str = ""           # set when it did not end normally

    @property
    def ok(self) -> bool:
        return self.code == 0 and not self.problem

    @classmethod
    def exited(cls, code: int, seconds: float) -> Finished:
        """A grading process that ended with `code` (negative: killed by that signal)."""
        if code < 0:
            return cls(code, seconds, f"the grading process was killed by {signal_name(-code)}")
        if code != 0:
            return cls(code, seconds, f"the grading process ended with exit code {code}")
        return cls(code, seconds)

    @classmethod
    def overran(cls, timeout: float, seconds: float) -> Finished:
        return cls(None, seconds, f"it was still running after {timeout:.0f} s, over the "
                                  "grading time limit, and was stopped")


# ---- one grading -------------------------------------------------------------------

@contextlib.contextmanager
def stopped_by_kill() -> Iterator[None]:
    """`kill` (SIGTERM) stops the gradings as Ctrl-C does: a KeyboardInterrupt, so each
    grading still running is stopped with its process group, and none is left behind."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def grade_argv(assignment_root: Path, submission: Path, output: Path, *, device: str,
               report: Path | None = None) -> list[str]:
    """The arguments of `grader grade` for one submission, from `grade` on."""
    argv = ["grade", str(assignment_root.resolve()), str(submission.resolve()), "-o",
            str(output.resolve()), "--device", device]
    return argv + (["--pytest-report", str(report.resolve())] if report else [])


def grade_command(assignment_root: Path, submission: Path, output: Path, *, device: str,
                  report: Path | None = None) -> list[str]:
    """The `grader grade` command line, run with this interpreter."""
    return [sys.executable, "-m", "grader.cli",
            *grade_argv(assignment_root, submission, output, device=device, report=report)]


def grade_env(pytest_args: Sequence[str], extra: dict[str, str] | None = None) -> dict:
    """The environment of a grading: ours, with PYTEST_ADDOPTS set to exactly `pytest_args`
    (`grader grade` has no option to choose tests; a PYTEST_ADDOPTS of our own never leaks in)."""
    return {**os.environ, **(extra or {}), "PYTEST_ADDOPTS": shlex.join(pytest_args)}


class Child:
    """A running `grader grade`, in a session of its own so that it can be killed whole."""

    def __init__(self, command: list[str], env: dict, log_path: Path):
        self.started = time.monotonic()
        with open(log_path, "wb") as out:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True)

    def wait(self, timeout: float) -> Finished:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return Finished.overran(timeout, self.seconds())
        return Finished.exited(code, self.seconds())

    def kill(self) -> None:
        kill_tree(self.process.pid)
        self.process.wait()

    def seconds(self) -> float:
        return round(time.monotonic() - self.started, 3)


def kill_tree(pid: int) -> None:
    """SIGKILL the judge `pid` and all it started: its sandboxed workers run in sessions
    (process groups) of their own, so each group is killed. `pid` must not have been
    reaped yet, or it might name another process."""
    groups = set()
    for process in [pid, *_descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            groups.add(os.getpgid(process))
    groups.discard(os.getpgrp())
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _descendants(pid: int) -> list[int]:
    """Every live process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run_grading(command: list[str], env: dict, log_path: Path, timeout: float) -> Finished:
    child = Child(command, env, log_path)
    try:
        return child.wait(timeout)
    except BaseException:  # we are being stopped: leave nothing running
        child.kill()
        raise


def collect(results_path: Path, finished: Finished) -> dict:
    """The results.json of a finished grading; written here if the judge could not write it."""
    if finished.ok:
        try:
            return json.loads(results_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            finished.problem = "the grading process wrote no results"
    document = results.failure_document(
        f"The grader could not finish grading this submission: {finished.problem}. This is a "
        "problem with the grader, not necessarily with your code, and your score is not final. "
        "The course staff have been told and will look into it.",
        execution_time=finished.seconds, extra_data={"grader_problem": finished.problem})
    results.write_atomic(results_path, document)
    return document


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
    return (job.results.is_file() and marker.get("key") == key
            and marker.get("submission") == job.fingerprint
            and not marker.get(results.REGRADE))


def settle(job: Job, finished: Finished, key: dict) -> Outcome:
    """Turn a finished grading into an outcome; mark it done only if the judge finished."""
    document = collect(job.results, finished)
    if finished.ok:
        results.write_atomic(job.marker, {"key": key, "submission": job.fingerprint,
                                          "seconds": finished.seconds,
                                          results.REGRADE: results.needs_regrade(document)})
        return Outcome(job.submission, document, GRADED, finished.seconds)
    return Outcome(job.submission, document, FAILED, finished.seconds, finished.problem)


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
                grading = self.judges[slot].grade(argv, job.log)
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
               timeout_s: float | None = None, cluster=None) -> Iterator[Outcome]:
    """Grade each submission as `grader grade` would; yield an Outcome as each one finishes.

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
        job = Job(submission, outdir / submission.id, digest(submission.path))
        if resume and already_graded(job, key):
            yield Outcome(submission, json.loads(job.results.read_text(encoding="utf-8")),
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
            key: dict) -> Iterator[tuple[Job, Outcome]]:
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
