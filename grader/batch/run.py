"""Grade many submissions, each exactly as `grader grade` does, in parallel and resumably.

Every grading is a process of its own running `grader grade ASSIGNMENT SUBMISSION -o
OUTDIR/<id>/results.json`: the file is the one `grader grade` writes (the judge
writes it atomically), and a judge that crashes or hangs takes down only its own
row. Where and how those processes run is a scheduler's business
(`grader.batch.scheduling`): locally, each concurrent slot keeps a warm judge
(`grader.batch.local`, `grader.batch.warm`) that has imported torch, pytest and the
grader once and forks a fresh `grader grade` for each submission; on Ray
(`grader.batch.ray_backend`), and for `grader ci`, it is a new `python -m grader.cli
grade`. Each judge holds a worker user of its own from the sandbox's pool, so
concurrent gradings never share one. This module plans the batch, drives the one
scheduler it picks, and keeps what resume needs.

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
import signal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import grader
from grader import host
from grader.assignment import REGRADE, Assignment, Results, loading, read_results
from grader.batch.grading import Finished, Job, Options, collect
from grader.batch.local import LocalScheduler
from grader.batch.scheduling import Scheduler
from grader.batch.sources import Submission
from grader.judge import results

log = logging.getLogger("grader.batch")

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
    def graded(self) -> Results:
        """The document, read (once: the reports ask for it per test): score, maximum, rows."""
        return read_results(self.document)


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
            and not marker.get(REGRADE))


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
                                          REGRADE: results.needs_regrade(document)})
        return GradedSubmission(job.submission, document, GRADED, finished.seconds)
    return GradedSubmission(job.submission, document, FAILED, finished.seconds, finished.problem)


# ---- the batch ----------------------------------------------------------------------

def grade_many(assignment: Assignment | str | Path, submissions: Iterable[Submission | Path],
               outdir: str | Path, *, jobs: int | None = None, device: str = "auto",
               pytest_args: Sequence[str] = (), resume: bool = False,
               timeout_s: float | None = None, cluster=None,
               own_args: Mapping[str, Sequence[str]] | None = None
               ) -> Iterator[GradedSubmission]:
    """Grade each submission as `grader grade` would; yield a GradedSubmission as each ends.

    assignment   an Assignment, or a name under assignments/ or a path to one
    submissions  Submission objects, or paths (folders or zips; the id is the name)
    outdir       OUTDIR/<id>/results.json (and the files listed above) for each
    jobs         gradings at once on this machine (default: from the CPU count and
                 memory); a cluster places its tasks itself
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
    at the end. Stopping the iteration early kills the gradings still running and marks
    none of them done.
    """
    if not isinstance(assignment, Assignment):
        assignment = loading.resolve(str(assignment))
    outdir = Path(outdir)
    outdir.mkdir(mode=0o700, parents=True, exist_ok=True)  # workers must not read others' rows
    options = Options(device, tuple(pytest_args), timeout_s)
    key = grading_key(assignment, options)
    todo = []
    for job in _jobs(submissions, outdir, options, own_args or {}):
        if resume and already_graded(job, key):
            yield GradedSubmission(job.submission,
                                   json.loads(job.results.read_text(encoding="utf-8")), RESUMED)
        else:
            todo.append(_cleared(job))
    yield from _graded(scheduler_for(assignment, options, jobs, cluster), todo, key)


def scheduler_for(assignment: Assignment, options: Options, jobs: int | None,
                  cluster) -> Scheduler:
    """Ray tasks on `cluster` if there is one, else `jobs` warm judges on this machine."""
    if cluster is None:
        return LocalScheduler(assignment, options, jobs or host.default_jobs())
    from grader.batch import ray_backend  # Ray is optional: imported only for a cluster

    return ray_backend.RayScheduler(cluster, assignment, options)


def _jobs(submissions: Iterable[Submission | Path], outdir: Path, options: Options,
          own_args: Mapping[str, Sequence[str]]) -> Iterator[Job]:
    for submission in submissions:
        if not isinstance(submission, Submission):
            submission = Submission(Path(submission).stem, Path(submission))
        yield Job(submission, outdir / submission.id, digest(submission.path),
                  (*options.pytest_args, *own_args.get(submission.id, ())))


def _cleared(job: Job) -> Job:
    """The job's folder, ready for a grading: from here on, the submission counts as not
    graded."""
    job.folder.mkdir(exist_ok=True)
    job.marker.unlink(missing_ok=True)
    job.results.unlink(missing_ok=True)
    return job


def _graded(scheduler: Scheduler, todo: list[Job], key: dict) -> Iterator[GradedSubmission]:
    """Grade `todo`, yielding each outcome as it finishes; those marked for a regrade are
    graded again at the end, one at a time, and yielded then."""
    flagged = []
    for job, outcome in _settled(scheduler, todo, key):
        if results.needs_regrade(outcome.document):
            flagged.append(job)
        else:
            yield outcome
    if flagged:
        # A timing the machine disturbed, a worker killed from outside: graded again at
        # the end, alone, when the batch no longer loads the machine.
        log.info("%d grading(s) marked for a regrade: grading them again, one at a time",
                 len(flagged))
        for _, outcome in _settled(scheduler.alone(), flagged, key):
            yield outcome  # still marked: its results.json says so, for the staff


def _settled(scheduler: Scheduler, todo: list[Job],
             key: dict) -> Iterator[tuple[Job, GradedSubmission]]:
    if not todo:
        return  # nothing to start
    with contextlib.closing(scheduler.run(todo)) as ended:  # stopping early stops them too
        for job, finished in ended:
            yield job, settle(job, finished, key)
