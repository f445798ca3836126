"""The gradings of a batch as Ray tasks on a cluster (`grader batch --ray ADDRESS`).

Each task runs the same `grader grade` child process as a local batch, on the
node Ray picks, with the resources declared for one grading (CPUs, GPUs,
memory); Ray gives a task with GPUs its own CUDA_VISIBLE_DEVICES. What travels:
the assignment folder and its reference solution, once, through Ray's object
store; each submission as zip bytes; and back, as each task finishes, the
results.json, the log and the pytest report, which the driver writes into OUTDIR.
A node needs the grader installed (`pip install '.[cluster]'`, the same version
as the driver) and the assignment's datasets (`grader prepare`); nothing else.

Ray is an optional dependency: imported only here.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from grader.assignment import Assignment, ConfigError
from grader.batch.grading import Finished, Job, Options, grade_command, grade_env, run_grading
from grader.batch.scheduling import Ended
from grader.judge import results
from grader.judge.files import archived

log = logging.getLogger("grader.batch")


@dataclass(frozen=True)
class Cluster:
    """Where the tasks run and what one grading asks of a node."""

    address: str                  # "auto", "ray://head:10001", "head:6379"; or "local"
    cpus: float = 1.0             # per grading
    gpus: float = 0.0             # per grading; 0.5 lets two gradings share a GPU
    memory_gb: float = 3.0        # per grading: judge and two workers
    local_cpus: int | None = None  # "local" only: CPUs of the Ray instance started here


@dataclass(frozen=True)
class RayScheduler:
    """The gradings as Ray tasks on `cluster`: all of them at once unless `at_once` says
    how many may be in flight (Ray still places each where its resources fit)."""

    cluster: Cluster
    assignment: Assignment
    options: Options
    at_once: int | None = None

    def run(self, jobs: Sequence[Job]) -> Generator[Ended, None, None]:
        ray = import_ray()
        started_here = _connect(ray, self.cluster)
        pending: dict = {}
        try:
            submit = self._submitter(ray)
            waiting = iter(jobs)
            for job in islice(waiting, self.at_once):  # all of them, unless at_once
                pending[submit(job)] = job
            self._announce(len(jobs))
            while pending:
                [done], _ = ray.wait(list(pending), num_returns=1)
                job = pending.pop(done)
                for following in islice(waiting, 1):  # the place it leaves, to the next
                    pending[submit(following)] = following
                yield job, _receive(ray, done, job)
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)
            if started_here:
                ray.shutdown()

    def alone(self) -> RayScheduler:
        return dataclasses.replace(self, at_once=1)

    def _submitter(self, ray) -> Callable[[Job], object]:
        """A function that starts a job's task and returns its object ref; the course
        travels once, through the object store."""
        course, assignment_at = course_bundle(self.assignment)
        course_ref = ray.put(course)
        cluster, options = self.cluster, self.options
        task = ray.remote(grade_remotely).options(
            num_cpus=cluster.cpus, num_gpus=cluster.gpus, memory=int(cluster.memory_gb * 2**30))
        timeout = options.timeout_for(self.assignment)
        return lambda job: task.remote(course_ref, assignment_at, zipped(job.submission.path),
                                       options.device, job.pytest_args, timeout)

    def _announce(self, count: int) -> None:
        cluster = self.cluster
        log.info("%d gradings submitted to Ray at %s (each: %g CPU, %g GPU, %g GB%s)",
                 count, cluster.address, cluster.cpus, cluster.gpus, cluster.memory_gb,
                 f"; {self.at_once} at a time" if self.at_once else "")


def import_ray():
    """Ray, or a ConfigError that says how to install it."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--ray needs Ray, an optional dependency: "
                          "pip install 'grader[cluster]' (or pip install ray)") from None
    return ray


def _connect(ray, cluster: Cluster) -> bool:
    """Join the cluster, or start a Ray instance here for "local"; True if we started Ray."""
    if ray.is_initialized():
        return False
    if cluster.address == "local":
        ray.init(num_cpus=cluster.local_cpus, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=cluster.address, log_to_driver=False)
    return True


def _receive(ray, ref, job: Job) -> Finished:
    """Write what the task sent back into the job's folder."""
    try:
        reply = ray.get(ref)
    except ray.exceptions.RayError as exc:
        return Finished(None, 0.0, f"its Ray task failed ({type(exc).__name__}: "
                                   f"{str(exc).splitlines()[0] if str(exc) else ''})")
    job.log.write_text(reply["log"], encoding="utf-8")
    if reply["report"] is not None:
        job.report.write_text(reply["report"], encoding="utf-8")
    if reply["results"] is not None:  # the same bytes: write_atomic dumps as the judge did
        results.write_atomic(job.results, json.loads(reply["results"]))
    return Finished(reply["code"], reply["seconds"], reply["problem"])


def grade_remotely(course: bytes, assignment_at: str, submission: bytes, device: str,
                   pytest_args: tuple[str, ...], timeout: float) -> dict:
    """The Ray task: unpack, run `grader grade` as a local batch would, send the files back."""
    with tempfile.TemporaryDirectory(prefix="grader-ray-") as scratch:
        scratch = Path(scratch)
        with zipfile.ZipFile(io.BytesIO(course)) as archive:
            archive.extractall(scratch / "course")
        (scratch / "submission.zip").write_bytes(submission)
        out = scratch / "out"
        out.mkdir()
        command = grade_command(scratch / "course" / assignment_at, scratch / "submission.zip",
                                out / "results.json", device=device,
                                report=out / "pytest-report.json")
        finished = run_grading(command, grade_env(pytest_args), out / "grade.log", timeout)
        return {"code": finished.code, "seconds": finished.seconds, "problem": finished.problem,
                **{key: _read(out / name) for key, name in (
                    ("results", "results.json"), ("log", "grade.log"),
                    ("report", "pytest-report.json"))}}


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None


def course_bundle(assignment: Assignment) -> tuple[bytes, str]:
    """The assignment folder and its reference as zip bytes, their relative layout kept
    (`reference = "../../solutions/x"` still resolves), and where the assignment is in it."""
    roots = [assignment.root, *([assignment.reference] if assignment.reference else [])]
    base = Path(os.path.commonpath(roots))
    return _zip({p.relative_to(base).as_posix(): p for root in roots for p in _files(root)}), \
        assignment.root.relative_to(base).as_posix()


def zipped(submission: Path) -> bytes:
    """A submission as zip bytes: a zip as it is, a folder zipped as staging lists it (links
    kept as links, so that the node refuses them as `grader grade` does here)."""
    if submission.is_file():
        return submission.read_bytes()
    return archived(submission)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _zip(files: dict[str, Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files.items():
            archive.write(path, name)
    return buffer.getvalue()
