"""Finding a class's submissions: folders, zips, Gradescope's export (no grading here)."""

import stat
import zipfile

import pytest

from grader.assignment import ConfigError
from grader.batch import sources
from grader.batch.sources import Student

# As Gradescope writes it: Ruby symbols as keys, Ruby-tagged values.
METADATA = """\
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1815'
    :email: ada@example.edu
  :created_at: 2026-03-01 12:00:00.000000000 -08:00
  :score: !ruby/object:BigDecimal 18:0.9e1
  :status: processed
submission_102:
  :submitters:
  - :name: Alan Turing
    :sid: '1912'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '1906'
    :email: grace@example.edu
  :results: !ruby/hash:ActiveSupport::HashWithIndifferentAccess
    score: 3.0
"""


def write_zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_a_folder_of_folders_and_zips(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "calc.py").write_text("x = 1\n")
    write_zip(tmp_path / "bob.zip", {"bob/calc.py": "x = 2\n"})
    (tmp_path / "notes.txt").write_text("not a submission")
    (tmp_path / ".DS_Store").write_text("")
    found = sources.find(tmp_path, tmp_path / "scratch-unused")
    assert [(s.id, s.path.name, s.students) for s in found.submissions] == [
        ("alice", "alice", ()), ("bob", "bob.zip", ())]
    assert found.ignored == ["notes.txt"]


def test_gradescope_export_zip_names_the_students(tmp_path):
    export = write_zip(tmp_path / "export.zip", {
        "assignment_7_export/submission_metadata.yml": METADATA,
        "assignment_7_export/submission_101/calc.py": "x = 1\n",
        "assignment_7_export/submission_102/calc.py": "x = 2\n",
    })
    found = sources.find(export, tmp_path / "scratch")
    assert [s.id for s in found.submissions] == ["submission_101", "submission_102"]
    assert found.submissions[0].students == (Student("Ada Lovelace", "ada@example.edu", "1815"),)
    assert [s.name for s in found.submissions[1].students] == ["Alan Turing", "Grace Hopper"]
    assert (found.submissions[1].path / "calc.py").read_text() == "x = 2\n"
    assert found.ignored == []


def test_an_unpacked_export_reads_the_same(tmp_path):
    (tmp_path / "submission_metadata.yml").write_text(METADATA)
    for key in ("submission_101", "submission_102", "submission_103"):  # 103: not in metadata
        (tmp_path / key).mkdir()
    found = sources.find(tmp_path, tmp_path / "unused")
    assert [len(s.students) for s in found.submissions] == [1, 2, 0]


def test_ids_are_folder_names_and_unique(tmp_path):
    for name in ("Jane Doe", "Jane Doe.zip"):
        path = tmp_path / name
        if name.endswith(".zip"):
            write_zip(path, {"calc.py": ""})
        else:
            path.mkdir()
    assert [s.id for s in sources.find(tmp_path, tmp_path / "x").submissions] == [
        "Jane_Doe", "Jane_Doe-2"]


def test_what_is_no_submission_says_so(tmp_path):
    (tmp_path / "file.txt").write_text("hello")
    with pytest.raises(ConfigError, match="neither a folder nor a zip"):
        sources.find(tmp_path / "file.txt", tmp_path / "x")
    with pytest.raises(ConfigError, match="does not exist"):
        sources.find(tmp_path / "missing", tmp_path / "x")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "submission_metadata.yml").write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="one entry per submission folder"):
        sources.find(tmp_path / "bad", tmp_path / "x")


def test_an_absolute_member_of_a_class_zip_is_no_submission(tmp_path):
    """The folders keep their real names; a member outside every folder is skipped."""
    archive = write_zip(tmp_path / "class.zip", {
        "class/alice/calc.py": "x = 1\n", "class/bob/calc.py": "x = 2\n",
        "/etc/calc.py": "x = 3\n", "../../calc.py": "x = 4\n"})
    found = sources.find(archive, tmp_path / "scratch")
    assert [(s.id, s.path.name) for s in found.submissions] == [("alice", "alice"),
                                                                ("bob", "bob")]
    assert found.ignored == ["/etc/calc.py (outside every submission folder)",
                             "../../calc.py (outside every submission folder)"]
    assert sorted(p.name for p in (tmp_path / "scratch").iterdir()) == ["class"]


def test_climbing_and_windows_members_stay_in_their_own_submission(tmp_path):
    export = write_zip(tmp_path / "export.zip", {
        "assignment_7_export/submission_metadata.yml": METADATA,
        "assignment_7_export\\submission_101\\calc.py": "x = 1\n",
        "assignment_7_export/submission_102/../../../../tmp/calc.py": "x = 2\n",
    })
    found = sources.find(export, tmp_path / "scratch")
    assert [s.id for s in found.submissions] == ["submission_101", "submission_102"]
    assert [(s.path / "calc.py").read_text() for s in found.submissions] == ["x = 1\n",
                                                                              "x = 2\n"]
    assert found.ignored == [] and not (tmp_path / "tmp").exists()


def test_link_members_are_never_made(tmp_path):
    """A link unpacked into the scratch folder would name files outside it."""
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("alice/calc.py", "x = 1\n")
        zipped.writestr("bob/README.md", "my calc.py is a link\n")
        link = zipfile.ZipInfo("bob/calc.py")
        link.create_system = 3  # Unix: st_mode in the high 16 bits
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "../../../solutions/calc.py")
    found = sources.find(archive, tmp_path / "scratch")
    assert [s.id for s in found.submissions] == ["alice", "bob"]
    assert found.ignored == ["bob/calc.py (a symbolic link)"]
    assert not (found.submissions[1].path / "calc.py").exists()
