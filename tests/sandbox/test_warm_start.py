"""Workers forked by the judge's zygote: each a fresh process as its own user, sharing
nothing with the zygote or an earlier worker; and the cold start whenever the zygote
cannot serve."""

import os

import pytest

from grader.sandbox import starts
from tests.sandbox.conftest import needs_file_modes, needs_root, start_probe, without_namespaces

ANSWER = "the first submission's answer"


@pytest.fixture
def fresh_zygote(monkeypatch):
    """A zygote of this test's own (the session's comes back afterwards)."""
    monkeypatch.delenv(starts.START_ENV, raising=False)
    monkeypatch.setattr(starts, "_zygote", None)


def _worker_facts(submission) -> dict:
    return {**submission.probe.process(), "mnt": submission.probe.namespace("mnt"),
            "uid": submission.probe.identity()["uid"]}


def _two_workers_in_turn() -> tuple[dict, dict, list]:
    """The first worker leaves an answer in module globals; what the second finds there."""
    first = start_probe()
    try:
        first.probe.leave(ANSWER)
        assert first.probe.left() == [ANSWER, ANSWER]  # where it wrote, it reads it back
        before = _worker_facts(first)
    finally:
        first.close()
    second = start_probe()
    try:
        return before, _worker_facts(second), second.probe.left()
    finally:
        second.close()


@needs_root
def test_warm_workers_are_fresh_processes_of_their_own_user_sharing_nothing(fresh_zygote):
    first, second, found = _two_workers_in_turn()
    zygote = starts._zygote.process.pid
    assert found == [None, None], "the second worker saw what the first one left"
    for facts in (first, second):
        assert facts["parent"] == zygote and facts["pid"] != zygote  # forked, not the zygote
        assert facts["session"] == facts["pid"]  # a process group the judge kills as one
        assert facts["uid"] != 0 and facts["threads"] == 1
        assert facts["mnt"] != os.readlink(f"/proc/{zygote}/ns/mnt")
        # Only stdin, fd 1 and 2 on the output file, the two wire pipes: not the zygote's
        # control socket, nor another worker's status pipe.
        assert len(facts["fds"]) == 5 and not any("socket" in fd for fd in facts["fds"])
    assert first["pid"] != second["pid"]
    assert len(os.listdir(f"/proc/{zygote}/task")) == 1  # it can still fork safely


@needs_root
def test_a_warm_worker_cannot_read_the_zygote(fresh_zygote):
    submission = start_probe()
    try:
        zygote = starts._zygote.process.pid
        for what in ("mem", "environ", "maps"):
            assert submission.probe.read(f"/proc/{zygote}/{what}").startswith("error"), what
    finally:
        submission.close()


@needs_file_modes
def test_without_namespaces_warm_workers_still_share_nothing(fresh_zygote, monkeypatch):
    without_namespaces(monkeypatch)
    first, second, found = _two_workers_in_turn()
    assert found == [None, None]
    assert first["parent"] == second["parent"] == starts._zygote.process.pid
    assert first["uid"] != 0 and first["mnt"] == os.readlink("/proc/self/ns/mnt")


def test_workers_start_warm_by_default(fresh_zygote):
    submission = start_probe()
    try:
        assert submission.probe.process()["parent"] == starts._zygote.process.pid
        assert submission._backend.protections["worker_start"] == starts.WARM
    finally:
        submission.close()


def _started_cold(expected_reason: str) -> None:
    """A worker starts, cold, for `expected_reason`, and serves."""
    submission = start_probe()
    try:
        assert submission.probe.echo(3) == 3
        assert submission._backend.protections["worker_start"] == f"cold: {expected_reason}"
        zygote = starts._zygote.process.pid if starts._zygote else None
        assert submission.probe.process()["parent"] != zygote
    finally:
        submission.close()


def test_workers_start_cold_once_the_zygote_ended(fresh_zygote):
    start_probe().close()
    starts._zygote.process.kill()
    starts._zygote.process.wait()
    _started_cold("the zygote ended")


def test_workers_start_cold_when_no_zygote_can_start(fresh_zygote, monkeypatch):
    def no_fork_server():
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(starts, "Zygote", no_fork_server)
    _started_cold("the zygote could not be started ([Errno 1] Operation not permitted)")


def test_a_worker_the_zygote_could_not_fork_starts_cold(fresh_zygote, monkeypatch):
    def refused(zygote, policy, fds):  # what the zygote answers when fork() fails
        status_r, status_w = os.pipe()
        os.write(status_w, b"error fork: [Errno 11] Resource temporarily unavailable\n")
        os.close(status_w)
        return starts.ZygoteChild(status_r)

    monkeypatch.setattr(starts.Zygote, "spawn", refused)
    _started_cold("fork: [Errno 11] Resource temporarily unavailable")
