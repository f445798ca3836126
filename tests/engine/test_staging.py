"""Staging reads only the submission's own regular files: links, pipes and devices are refused.

The judge stages as root, so a link would hand it whatever it names (the reference's
graded files, hidden tests, /proc/self/environ). Each case here is a submission that
carries such an entry; the entry must be named to the student, never read, and count
as absent, while the submission's regular files stage as usual.
"""

import os
import socket
import stat
import zipfile
from pathlib import Path

import pytest

from grader.assignment import loading
from grader.judge import files, runner
from grader.judge.files import member_name, stage
from grader.toolkit import artifacts
from grader.toolkit.artifacts import ArtifactError
from tests.engine.test_notebook import write_notebook

ROOT = Path(__file__).parents[2]
GOOD = ROOT / "tests/fixtures/submissions/good/calc.py"
SECRET = "SECRET = 'a judge-only file'\n"


def example():
    return loading.load(ROOT / "tests/fixtures/example")


def cifar():
    return loading.load(ROOT / "assignments/cifar_resnet")


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside the submission that a link could name (a hidden test, the reference)."""
    path = tmp_path / "judge-only" / "calc.py"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


@pytest.fixture
def upload(tmp_path) -> Path:
    folder = tmp_path / "upload"
    folder.mkdir()
    return folder


def refused_note(*entries: str) -> str:
    return (f"Not read: {', '.join(entries)}. The grader reads only regular files, never "
            "links, pipes or devices: submit the files themselves. Tests that need them fail.")


def test_a_link_to_a_file_outside_is_refused_by_name(tmp_path, upload, secret):
    (upload / "calc.py").symlink_to(secret)
    staged = stage(upload, example(), tmp_path / "out")
    assert list(staged.root.iterdir()) == []
    assert staged.refused == ["calc.py (a symbolic link)"] and staged.missing == []
    assert staged.notes() == [refused_note("calc.py (a symbolic link)")]


def test_a_link_to_a_file_inside_is_refused_too(tmp_path, upload):
    (upload / "src").mkdir()
    (upload / "src" / "calc.py").write_text("X = 1\n")
    (upload / "calc.py").symlink_to("src/calc.py")
    staged = stage(upload, example(), tmp_path / "out")
    assert staged.refused == ["calc.py (a symbolic link)"]
    assert not (staged.root / "calc.py").exists()


def test_a_dangling_link_is_refused_not_fatal(tmp_path, upload):
    (upload / "calc.py").symlink_to(tmp_path / "nowhere.py")
    staged = stage(upload, example(), tmp_path / "out")
    assert staged.refused == ["calc.py (a symbolic link)"]


def test_a_linked_folder_is_listed_never_entered(tmp_path, upload, secret):
    (upload / "hw").symlink_to(secret.parent, target_is_directory=True)
    staged = stage(upload, example(), tmp_path / "out")
    assert staged.missing == ["calc.py"] and staged.ignored == ["hw (a symbolic link)"]
    assert list(staged.root.iterdir()) == []


def test_a_file_swapped_for_a_link_after_listing_is_not_read(upload, secret):
    (upload / "calc.py").write_text("X = 1\n")
    entries = files._folder_entries(upload)
    (upload / "calc.py").unlink()
    (upload / "calc.py").symlink_to(secret)
    with pytest.raises(files._Refused, match="a symbolic link"):
        entries.read("calc.py")


def test_a_file_reached_through_a_linked_folder_is_outside(tmp_path, upload, secret):
    (upload / "hw").symlink_to(secret.parent, target_is_directory=True)
    with pytest.raises(files._Refused, match="outside the submission"):
        files._read_inside(upload.resolve(), "hw/calc.py")


def make_special(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))
    else:  # /dev/null's numbers: opening it would do nothing, but it is never opened
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))


@pytest.mark.parametrize(("kind", "described"), [
    ("fifo", "a named pipe"), ("socket", "a socket"),
    pytest.param("device", "a device", marks=pytest.mark.skipif(
        os.geteuid() != 0, reason="making a device node needs root"))])
def test_pipes_sockets_and_devices_are_refused_unopened(tmp_path, kind, described):
    upload = tmp_path / "u"  # short: a socket's path is limited to about 100 bytes
    upload.mkdir()
    make_special(upload / "calc.py", kind)
    staged = stage(upload, example(), tmp_path / "out")
    assert staged.refused == [f"calc.py ({described})"]
    assert list(staged.root.iterdir()) == []


def write_zip(path: Path, members: dict[str, str], links: dict[str, str] | None = None
              ) -> Path:
    """A zip of text members, and of symbolic links (stored as Unix zip tools store them)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix: the high 16 bits of external_attr are st_mode
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def test_a_zip_member_that_is_a_link_is_refused(tmp_path):
    archive = write_zip(tmp_path / "hw.zip", {}, {"hw/calc.py": "../../solutions/calc.py"})
    staged = stage(archive, example(), tmp_path / "out")
    assert staged.refused == ["hw/calc.py (a symbolic link)"]
    assert list(staged.root.iterdir()) == []


@pytest.mark.parametrize(("name", "staged_as"), [
    ("calc.py", "calc.py"),
    ("hw/./calc.py", "hw/calc.py"),
    ("hw\\calc.py", "hw/calc.py"),
    ("/calc.py", "calc.py"),
    ("/home/ann/hw/calc.py", "calc.py"),
    ("C:\\Users\\ann\\calc.py", "calc.py"),
    ("../../calc.py", "calc.py"),
    ("ann/hw/../../../etc/calc.py", "ann/hw/calc.py"),
    ("hw/..", ""),
])
def test_zip_member_names_are_normalised_inside_the_submission(name, staged_as):
    assert member_name(name) == staged_as


def test_absolute_and_climbing_zip_entries_stage_under_their_base_name(tmp_path):
    archive = write_zip(tmp_path / "hw.zip", {
        "/home/ann/hw/calc.py": GOOD.read_text(),
        "../../../predictions.csv": "Id,Label\n",
        "/calc.py": "X = 'a second calc.py: the first one counts'\n"})
    staged = stage(archive, cifar_like(tmp_path), tmp_path / "out")
    assert (staged.root / "calc.py").read_text() == GOOD.read_text()
    assert (staged.root / "predictions.csv").read_text() == "Id,Label\n"
    assert staged.missing == staged.refused == staged.ignored == []
    assert not (tmp_path / "predictions.csv").exists()


def cifar_like(tmp_path: Path):
    """The example assignment with a predictions file graded as an artifact."""
    root = tmp_path / "example"
    root.mkdir()
    (root / "assignment.toml").write_text(
        (ROOT / "tests/fixtures/example/assignment.toml").read_text() +
        '\n[artifacts.predictions]\nfile = "predictions.csv"\nkind = "predictions"\n'
        'max_kb = 4\nthreshold = 0.5\n')
    return loading.load(root)


def test_a_folder_zipped_for_another_machine_stages_as_the_folder(tmp_path, upload, secret):
    """`grader batch --ray` sends folders as zips: links travel as links, never as targets."""
    (upload / "calc.py").symlink_to(secret)
    (upload / "notes.txt").write_text("hello\n")
    os.mkfifo(upload / "pipe")
    sent = tmp_path / "sent.zip"
    sent.write_bytes(files.archived(upload))
    here = stage(upload, example(), tmp_path / "here")
    there = stage(sent, example(), tmp_path / "there")
    assert there.notes() == here.notes() and there.refused == ["calc.py (a symbolic link)"]
    assert there.ignored == ["notes.txt", "pipe (a named pipe)"]
    with zipfile.ZipFile(sent) as archive:
        assert archive.read("calc.py") == b"" and archive.read("notes.txt") == b"hello\n"


def test_a_notebook_that_is_a_link_is_refused(tmp_path, upload):
    notebook = write_notebook(tmp_path / "elsewhere" / "hw.ipynb",
                              [(GOOD.read_text(), ["module:calc"])])
    (upload / "hw.ipynb").symlink_to(notebook)
    staged = stage(upload, example(), tmp_path / "out")
    assert staged.from_notebook == {} and staged.missing == ["calc.py"]
    assert staged.refused == ["hw.ipynb (a symbolic link)"]


def test_artifacts_that_are_links_are_refused(tmp_path, upload):
    reference = ROOT / "solutions/cifar_resnet"
    for name in ("predictions.csv", "resnet20.safetensors"):
        (upload / name).symlink_to(reference / name)
    staged = stage(upload, cifar(), tmp_path / "out")
    assert staged.refused == ["predictions.csv (a symbolic link)",
                              "resnet20.safetensors (a symbolic link)"]
    assert list(staged.root.iterdir()) == []
    with pytest.raises(ArtifactError, match="no predictions.csv"):
        artifacts.find(staged.root, "predictions.csv")


def test_the_artifact_reader_refuses_a_link_where_no_staging_ran(upload):
    """Students' own runs read their folder directly: the rule is the same there."""
    (upload / "predictions.csv").symlink_to(ROOT / "solutions/cifar_resnet/predictions.csv")
    with pytest.raises(ArtifactError, match="predictions.csv is a symbolic link"):
        artifacts.find(upload, "predictions.csv")
    with pytest.raises(ArtifactError, match="predictions.csv is a symbolic link"):
        artifacts.read_predictions(upload / "predictions.csv", 500, num_classes=10)


def test_a_graded_link_fails_only_its_tests_and_results_stay_complete(tmp_path, upload, secret,
                                                                      valid_results):
    """Graded as a submission without the file, with a note that names the link."""
    (upload / "calc.py").symlink_to(secret)
    linked = valid_results(runner.grade(example(), upload, tmp_path / "linked.json",
                                        device="cpu", sandbox=False))
    (tmp_path / "none").mkdir()
    absent = runner.grade(example(), tmp_path / "none", tmp_path / "none.json", device="cpu",
                          sandbox=False)
    assert linked["tests"] and linked["score"] == absent["score"]
    assert [(t["number"], t["status"]) for t in linked["tests"]] == [
        (t["number"], t["status"]) for t in absent["tests"]]
    assert refused_note("calc.py (a symbolic link)") in linked["output"]
    assert "a judge-only file" not in (tmp_path / "linked.json").read_text()
