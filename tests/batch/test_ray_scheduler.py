"""The Ray scheduler against a stand-in for Ray: how many tasks it keeps in flight and
what it writes back into each job's folder. (A real local Ray instance grades a class in
tests/batch/test_mnist_batch.py, marked slow.)"""

import json

import pytest
from conftest import TINY, tiny_submission

from grader.assignment import loading
from grader.batch import ray_backend
from grader.batch.grading import Job, Options
from grader.batch.sources import Submission


class FakeRay:
    """Enough of Ray for RayScheduler, on a cluster joined already. Each task runs, and
    ends, when it is waited for, oldest first, and replies as `grade_remotely` does;
    `most_in_flight` is the most tasks ever submitted and not yet finished."""

    class exceptions:  # as Ray spells it
        RayError = RuntimeError

    def __init__(self):
        self.in_flight: list[int] = []
        self.most_in_flight = 0
        self.submitted = 0

    def is_initialized(self) -> bool:
        return True  # so the scheduler neither starts nor shuts down Ray

    def put(self, value):
        return value

    def remote(self, function):
        return FakeTask(self)

    def wait(self, refs, num_returns):
        self.in_flight.remove(min(refs))
        return [min(refs)], sorted(refs)[1:]

    def get(self, ref):
        return {"code": 0, "seconds": 1.0, "problem": "", "log": f"graded as task {ref}\n",
                "report": None, "results": json.dumps({"score": ref, "tests": []})}

    def cancel(self, ref, force):
        raise AssertionError(f"task {ref} was cancelled, though the batch ran to its end")


class FakeTask:
    def __init__(self, ray: FakeRay):
        self.ray = ray

    def options(self, **resources):
        return self

    def remote(self, *arguments) -> int:
        ray = self.ray
        ray.submitted += 1
        ray.in_flight.append(ray.submitted)
        ray.most_in_flight = max(ray.most_in_flight, len(ray.in_flight))
        return ray.submitted


@pytest.fixture
def fake_ray(monkeypatch) -> FakeRay:
    ray = FakeRay()
    monkeypatch.setattr(ray_backend, "import_ray", lambda: ray)
    return ray


@pytest.fixture
def jobs(tmp_path) -> list[Job]:
    jobs = []
    for name in "abc":
        folder = tmp_path / "out" / name
        folder.mkdir(parents=True)
        jobs.append(Job(Submission(name, tiny_submission(tmp_path / "class" / name)), folder))
    return jobs


def scheduler() -> ray_backend.RayScheduler:
    return ray_backend.RayScheduler(ray_backend.Cluster("auto"), loading.resolve(str(TINY)),
                                    Options(device="cpu"))


def test_every_grading_is_submitted_at_once_and_written_back_as_it_ends(fake_ray, jobs):
    ended = list(scheduler().run(jobs))
    assert fake_ray.most_in_flight == 3
    assert [(job.submission.id, finished.ok) for job, finished in ended] == [
        ("a", True), ("b", True), ("c", True)]
    assert json.loads(jobs[1].results.read_text())["score"] == 2
    assert jobs[1].log.read_text() == "graded as task 2\n"


def test_alone_it_keeps_one_grading_in_flight(fake_ray, jobs):
    ended = list(scheduler().alone().run(jobs))
    assert fake_ray.most_in_flight == 1
    assert [job.submission.id for job, _ in ended] == ["a", "b", "c"]
