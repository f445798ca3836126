"""Looking for what a worker user left on the host: skipped only where it cannot have
left anything.

A worker that ran in a mount namespace of its own wrote only in its private folders, so
releasing its user does not walk the host's world-writable folders and marks the slot
clean; taking a clean slot does not walk them for it either. A worker run without the
namespace (Docker) writes in the host's folders: its user's files are looked for and
removed when it ends, and its slot is never marked clean.
"""

import os
import pwd
import subprocess

import pytest

from grader.sandbox import users, writable
from tests.sandbox.conftest import (
    needs_file_modes,
    needs_namespaces,
    needs_root,
    start_probe,
    without_namespaces,
)

pytestmark = [pytest.mark.slow, needs_root]


def spy(monkeypatch, name: str, before=None) -> list[set[int]]:
    """The sets of uids writable.`name` is called with (`before` runs first on each)."""
    calls, real = [], getattr(writable, name)

    def called(uids):
        calls.append(set(uids))
        if before:
            before(uids)
        return real(uids)
    monkeypatch.setattr(writable, name, called)
    return calls


def marked_clean(user: users.WorkerUser) -> bool:
    return users._state(user.name) == users._clean_state(user.uid)


@pytest.mark.parametrize("isolation", [
    pytest.param("namespaces", marks=needs_namespaces),
    pytest.param("file modes", marks=needs_file_modes),
])
def test_a_users_files_are_looked_for_unless_all_its_workers_ran_in_a_namespace(
        monkeypatch, isolation):
    if isolation == "file modes":
        without_namespaces(monkeypatch)
    submission = start_probe()
    removed = spy(monkeypatch, "remove_files")  # from here on: what the release looks for
    try:
        cwd = submission.probe.identity()["cwd"]
        left = f"/tmp/left-by-the-worker-{os.getpid()}"
        wrote = submission.probe.write_in(["/tmp"], os.path.basename(left))
        assert set(wrote.values()) == {"written"}, wrote
        user = submission._backend.user
    finally:
        submission.close()
    assert not os.path.lexists(left)
    assert not os.path.exists(os.path.dirname(cwd)), "the staged copy outlived the run"
    looked = [uids for uids in removed if user.uid in uids]
    if isolation == "namespaces":
        assert (looked, marked_clean(user)) == ([], True)
    else:
        assert (looked, marked_clean(user)) == ([{user.uid}], False)


# What the workers of a user reported in their ready messages (None: one never did).
CONFINED = {"writable": ["/tmp", "/var/tmp"]}  # launch.isolate's, once the private tmpfs is up
WITHOUT_NAMESPACE = {"rlimits": {"core": 0}}  # no mount namespace: nothing about writing


@pytest.mark.parametrize("reports, looked_for", [
    ([CONFINED, CONFINED], False),
    ([WITHOUT_NAMESPACE], True),
    ([CONFINED, WITHOUT_NAMESPACE], True),
    ([CONFINED, None], True),
])
def test_releasing_a_user_skips_its_files_only_if_every_worker_reported_a_namespace(
        reports, looked_for):
    user = users.acquire()
    left = f"/tmp/left-as-the-user-{os.getpid()}"
    try:
        subprocess.run(["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}",
                        "--clear-groups", "touch", left], check=True)
        for applied in reports:
            user.starting()
            if applied is not None:
                user.ready(applied)
        user.release()
        assert (os.path.lexists(left), marked_clean(user)) == (not looked_for, not looked_for)
    finally:  # a file no confined worker could have left: not for the next run to find
        users._state_file(user.name).unlink(missing_ok=True)
        if os.path.lexists(left):
            os.unlink(left)


def test_taking_a_slot_looks_for_its_leftovers_only_when_it_is_not_marked_clean(monkeypatch):
    user = users.acquire()
    try:
        walked = spy(monkeypatch, "file_owners")
        users._clean_free_slots(user, own_clean=True)
        assert not any(user.uid in uids for uids in walked)
        walked.clear()
        users._clean_free_slots(user, own_clean=False)
        assert any(user.uid in uids for uids in walked)
    finally:
        user.release()


def test_a_free_slot_taken_while_its_leftovers_are_looked_for_is_not_marked_clean(
        monkeypatch):
    other, own = users.acquire(), users.acquire()
    other.release()  # free, and not marked clean: no worker of it reported

    def taken_meanwhile(uids):  # what `_taken` does to a slot a run takes
        for uid in uids - {own.uid}:
            users._state_file(pwd.getpwuid(uid).pw_name).unlink(missing_ok=True)
    try:
        walked = spy(monkeypatch, "file_owners", before=taken_meanwhile)
        users._clean_free_slots(own, own_clean=True)
        seen = set().union(*walked) - {own.uid}
        assert other.uid in seen, "the free slot that is not marked clean was not looked at"
        assert [uid for uid in seen
                if users._state(pwd.getpwuid(uid).pw_name).startswith("clean")] == []
    finally:
        own.release()
