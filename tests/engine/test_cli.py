"""The `grader` command and the summary students see from plain `pytest`."""

import json
import shutil
import subprocess
import sys

import pytest

from grader import cli


def test_grade_exits_zero_whatever_the_score(tmp_path, fixtures_dir, capsys):
    out = tmp_path / "results.json"
    code = cli.main(["grade", str(fixtures_dir / "example"),
                     str(fixtures_dir / "submissions/empty"), "-o", str(out), "--no-sandbox",
                     "--device", "cpu"])
    assert code == 0
    assert json.loads(out.read_text())["score"] == 0
    printed = capsys.readouterr().out
    assert "add() sums two numbers" in printed and "0/1" in printed
    assert "not implemented yet" in printed
    assert "Score: 0/23 points" in printed and f"Results: {out}" in printed
    assert "Traceback" not in printed and "def test_" not in printed  # no hidden test code


def test_usage_errors_exit_non_zero(tmp_path, fixtures_dir, capsys):
    assert cli.main(["grade", "no_such_assignment", str(tmp_path)]) == 2
    assert "no assignment 'no_such_assignment'" in capsys.readouterr().err
    assert cli.main(["grade", str(fixtures_dir / "example"), str(tmp_path / "missing")]) == 2
    with pytest.raises(SystemExit) as info:
        cli.main(["grade"])
    assert info.value.code == 2


def test_list_names_the_assignments(monkeypatch, fixtures_dir, capsys):
    monkeypatch.setenv("GRADER_ASSIGNMENTS", str(fixtures_dir))
    assert cli.main(["list"]) == 0
    listed = capsys.readouterr().out.split("\n")
    assert any(line.startswith("example") and "Engine example: calc" in line for line in listed)


@pytest.mark.parametrize("public_only, words", [
    (True, ("Public tests: 21/23 points, 14/16 tests passed. The grader also runs hidden "
            "tests, so this is not your final grade.")),
    (False, ("Score: 21/23 points, 14/16 tests passed (3 of them not visible to students "
             "before release).")),
])
def test_plain_pytest_prints_an_honest_summary(tmp_path, fixtures_dir, public_only, words):
    local = tmp_path / "example"
    shutil.copytree(fixtures_dir / "example", local)
    shutil.copytree(fixtures_dir / "submissions/good", tmp_path / "code")
    toml = (local / "assignment.toml").read_text().replace(
        "[submission]", '[submission]\nlocal = "../code"')
    if public_only:
        toml = toml.replace("[assignment]", "[assignment]\npublic_tests_only = true")
    (local / "assignment.toml").write_text(toml)
    run = subprocess.run([sys.executable, "-m", "pytest", str(local), "-p", "no:cacheprovider"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert "grading summary" in run.stdout, run.stdout + run.stderr
    assert words in run.stdout


def test_list_and_grade_take_a_course_repository(tmp_path, fixtures_dir, capsys):
    project = fixtures_dir / "project"
    assert cli.main(["list", "--project", str(project)]) == 0
    assert capsys.readouterr().out.startswith("calc_basics              Calc: arithmetic")
    assert cli.main(["list", "--datasets", "--project", str(project)]) == 0
    listed = capsys.readouterr().out
    assert "mnist-embedded           The shipped MNIST test split" in listed
    assert "synthetic-cifar10" in listed
    out = tmp_path / "results.json"
    assert cli.main(["grade", "calc_basics", str(project / "solutions/calc_basics"), "-o",
                     str(out), "--no-sandbox", "--device", "cpu", "--project", str(project)]) == 0
    document = json.loads(out.read_text())
    assert document["score"] == sum(t["max_score"] for t in document["tests"]) > 0
    assert cli.main(["grade", "example", str(tmp_path), "--project", str(project)]) == 2
    assert "no assignment 'example' under" in capsys.readouterr().err


class Resolved(Exception):
    """Raised in place of grading: which assignment the command resolved."""


@pytest.mark.parametrize("command", ["batch", "ci"])
def test_batch_and_ci_find_the_assignment_in_a_course_repository(command, tmp_path, fixtures_dir,
                                                                  monkeypatch, capsys):
    from grader.batch import ci, commands

    def resolved(*args, **kwargs):
        raise Resolved(next(a for a in args if hasattr(a, "root")).root)

    monkeypatch.setattr(commands, "_grade_all", resolved)
    monkeypatch.setattr(ci, "grade", resolved)
    project = fixtures_dir / "project"
    (tmp_path / "submissions" / "student_1").mkdir(parents=True)
    given = ([str(tmp_path / "submissions"), "-o", str(tmp_path / "out")] if command == "batch"
             else [str(tmp_path / "submissions" / "student_1")])
    with pytest.raises(Resolved) as info:
        cli.main([command, "calc_basics", *given, "--project", str(project)])
    assert info.value.args[0] == (project / "assignments" / "calc_basics").resolve()
    assert cli.main([command, "example", *given, "--project", str(project)]) == 2
    assert f"no assignment 'example' under {project.resolve()}/assignments (known: " \
           "calc_basics)" in capsys.readouterr().err
