"""What the worker cannot do. Each assertion fails if its protection is switched off."""

import os
from pathlib import Path

import grader
from grader.assignment import PACKAGE_ROOT, Assignment
from grader.sandbox import users
from tests.sandbox.conftest import EXAMPLE, needs_namespaces, needs_root

GRADER_FILE = Path(grader.__file__).resolve()
SECRETS = [
    EXAMPLE / "test_markers.py",                                   # hidden tests
    PACKAGE_ROOT / "solutions" / "mnist_nets" / "models.py",       # reference solutions
    GRADER_FILE.parent / "datasets/embedded/mnist-t10k/t10k-labels-idx1-ubyte.gz",  # labels
    Path("/root/.bash_history"),
]


def test_worker_is_another_process_without_core_dumps_and_big_files(probe):
    facts = probe.probe.identity()
    assert facts["env"] == sorted(["HOME", "PATH", "TMPDIR", "OMP_WAIT_POLICY", *[
        k for k in ("CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS", "LANG") if k in os.environ]])
    limits = probe.probe.limits()
    assert limits["RLIMIT_CORE"] == 0
    assert limits["RLIMIT_FSIZE"] == 256 * 2**20
    assert limits["RLIMIT_NOFILE"] == 1024


@needs_root
def test_worker_runs_as_a_user_of_its_own_that_cannot_signal_the_judge(probe):
    facts = probe.probe.identity()
    assert facts["uid"] != 0 and facts["groups"] == []
    assert probe.probe.signal_process(os.getpid()) == "error: Operation not permitted"
    assert probe.probe.limits()["RLIMIT_NPROC"] == 256
    assert probe._backend.protections["user"].startswith(users.PREFIX)


@needs_root
def test_hidden_files_are_unreadable_and_grader_files_unwritable(probe):
    for path in SECRETS:
        assert probe.probe.read(str(path)).startswith("error"), path
    assert "assignments" not in probe.probe.listdir(str(PACKAGE_ROOT))
    assert probe.probe.write(str(GRADER_FILE)).startswith("error")
    assert probe.probe.read(str(GRADER_FILE)).startswith('"""')  # the worker still needs it


@needs_namespaces
def test_tmp_is_private_and_the_network_is_gone(probe, tmp_path):
    (tmp_path / "judge-only").write_text("x")
    assert probe.probe.listdir(str(tmp_path)).startswith("error")
    assert probe.probe.interfaces() == ["lo"]
    for kind in ("net", "mnt"):
        assert probe.probe.namespace(kind) != os.readlink(f"/proc/self/ns/{kind}")


@needs_namespaces
def test_protections_are_reported_complete(probe):
    report = probe._backend.protections
    assert report["not_active"] == []
    assert report["network"].startswith("isolated")
    assert str(PACKAGE_ROOT) in report["hidden_paths"]
    assert report["rlimits"]["nproc"] == 256


def test_a_course_kept_anywhere_hides_its_assignments_and_grading_secret(tmp_path):
    """A course repository outside the grader (`--project`): the worker must not read the
    other assignments' tests nor the course's grading secret beside them."""
    from grader.sandbox.policy import hidden_paths
    from grader.toolkit import secret

    course = tmp_path / "course" / "assignments"
    (course / "hw1").mkdir(parents=True)
    (course / "hw2").mkdir()
    secret.path_for(course / "hw1").write_bytes(b"s" * 32)
    hidden = hidden_paths(Assignment(root=course / "hw1", name="hw1", title="hw1"), [])
    assert str(course.resolve()) in hidden and str(secret.path_for(course / "hw1").resolve()) in \
        hidden
