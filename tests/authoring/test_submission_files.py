"""Staging the files students upload (zip or folder) the way Gradescope hands them over."""

import zipfile

from grader.assignment import loading
from grader.judge.files import stage


def example(fixtures_dir):
    return loading.load(fixtures_dir / "example")


def test_zip_of_a_folder_with_mac_metadata_stages_only_the_allow_list(tmp_path, fixtures_dir):
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hw/calc.py", "X = 1\n")
        z.writestr("__MACOSX/hw/._calc.py", "resource fork")
        z.writestr("hw/pytest.ini", "[pytest]\naddopts = -p evil\n")
        z.writestr("hw/__pycache__/calc.cpython-311.pyc", "\0")
    staged = stage(archive, example(fixtures_dir), tmp_path / "out")
    assert sorted(p.name for p in staged.root.iterdir()) == ["calc.py"]
    assert staged.ignored == ["hw/pytest.ini"]
    assert staged.notes() == ["Ignored (not part of the assignment): hw/pytest.ini"]


def test_the_shallowest_copy_wins_and_deep_copies_do_not_count(tmp_path, fixtures_dir):
    source = tmp_path / "upload"
    (source / "old").mkdir(parents=True)
    (source / "calc.py").write_text("VERSION = 'top'\n")
    (source / "old" / "calc.py").write_text("VERSION = 'old'\n")
    staged = stage(source, example(fixtures_dir), tmp_path / "out")
    assert (staged.root / "calc.py").read_text() == "VERSION = 'top'\n"
    deep = tmp_path / "deep"
    (deep / "a" / "b").mkdir(parents=True)
    (deep / "a" / "b" / "calc.py").write_text("X = 1\n")
    staged = stage(deep, example(fixtures_dir), tmp_path / "out2")
    assert staged.missing == ["calc.py"] and staged.ignored == ["a/b/calc.py"]


def test_notes_name_missing_large_and_ignored_files_in_that_order(tmp_path, fixtures_dir):
    source = tmp_path / "upload"
    source.mkdir()
    for i in range(12):
        (source / f"extra{i:02}.txt").write_text("x")
    notes = stage(source, example(fixtures_dir), tmp_path / "out").notes()
    assert notes[0] == "Missing from your submission: calc.py. Tests that need them fail."
    assert notes[1].startswith("Ignored (not part of the assignment): extra00.txt, ")
    assert notes[1].endswith("extra09.txt ...")
