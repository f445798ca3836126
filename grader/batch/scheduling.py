"""What a batch asks of whatever runs its gradings.

As with pytest-xdist's schedulers, the batch (`grader.batch.run`) hands a scheduler
its jobs and is told of each grading as it ends; it knows nothing of where or how
they run. Two schedulers: warm judges on this machine (`grader.batch.local`) and
Ray tasks on a cluster (`grader.batch.ray_backend`).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Protocol

from grader.batch.grading import Finished, Job

Ended = tuple[Job, Finished]  # a job, and how its `grader grade` process ended


class Scheduler(Protocol):
    """Runs `grader grade` for jobs whose folders are ready, and says how each ended."""

    def run(self, jobs: Sequence[Job]) -> Generator[Ended, None, None]:
        """Grade every job (at least one); yield each as it ends, in the order they end.

        Each job's grade.log, pytest-report.json and results.json (when its judge wrote
        one) are in its folder by the time it is yielded. Closing the generator early
        stops the gradings still running, with every process they started, and releases
        what the scheduler started (judges, a Ray instance)."""
        ...

    def alone(self) -> Scheduler:
        """A scheduler like this one that runs one grading at a time (for regrades, which
        must not share the machine)."""
        ...
