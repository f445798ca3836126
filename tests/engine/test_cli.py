"""The `grader` command and the summary students see from plain `pytest`."""

import argparse
import importlib
import json
import shutil
import subprocess
import sys
import types

import pytest

from grader import cli
from grader.assignment import PACKAGE_ROOT
from grader.authoring import commands as authoring_commands
from grader.batch import commands as batch_commands

# Each subcommand's arguments, in the order --help lists them, as the README and docs describe
# them: a positional by its name, an option by its first spelling.
COMMAND_LINE = {
    "grade": ["assignment", "submission", "--explain", "-o", "--device", "--no-sandbox",
              "--pytest-report", "--project"],
    "list": ["--datasets", "--project"],
    "new": ["NAME", "--project"],
    "template": ["NAME", "--check", "--project"],
    "selftest": ["NAME", "--device", "--no-sandbox", "--seeds", "--project"],
    "build": ["NAME", "-o", "--no-selftest", "--new-secret", "--device", "--no-sandbox",
              "--seeds", "--project"],
    "prepare": ["NAME", "--download", "--sources", "--project"],
    "calibrate": ["NAME", "--seeds", "--device", "-o", "--project"],
    "mutate": ["NAME", "--sample", "--jobs", "-m", "-o", "--project"],
    "batch": ["assignment", "submissions", "-o", "--jobs", "--resume", "--device",
              "--pytest-args", "--timeout", "--ray", "--cpus-per-grading", "--gpus-per-grading",
              "--memory-per-grading", "--project"],
    "ci": ["assignment", "submission", "-o", "--device", "--fail-below-full", "--project"],
}
AUTHORING = {"new", "template", "selftest", "build", "prepare", "calibrate", "mutate"}


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


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def _command_line() -> dict[str, list[str]]:
    """What `grader <command> --help` lists, read from a freshly built parser."""
    return {name: [a.metavar if not a.option_strings and a.metavar else
                   (a.option_strings or [a.dest])[0]
                   for a in sub._actions if not isinstance(a, argparse._HelpAction)]
            for name, sub in _subcommands(cli.build_parser()).items()}


def test_every_subcommand_keeps_its_arguments_in_order():
    assert _command_line() == COMMAND_LINE
    assert list(_subcommands(cli.build_parser())) == list(COMMAND_LINE)  # --help's order


@pytest.mark.parametrize("name", COMMAND_LINE)
def test_every_subcommand_builds_its_help(name, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([name, "--help"])
    assert info.value.code == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"usage: grader {name} ")
    assert "--project PROJECT" in printed and "the course repository (default: " in printed


@pytest.mark.parametrize("name", COMMAND_LINE)
def test_project_defaults_to_this_repository_for_authoring_only(name):
    project = next(a for a in _subcommands(cli.build_parser())[name]._actions
                   if a.dest == "project")
    assert project.default == (PACKAGE_ROOT if name in AUTHORING else None)
    assert ("$GRADER_ASSIGNMENTS" in project.help) == (name not in AUTHORING)


COMMAND_MODULES = [cli, authoring_commands, batch_commands]


@pytest.mark.parametrize("module", COMMAND_MODULES, ids=lambda m: m.__name__)
def test_command_modules_hold_no_mutable_registry(module):
    """The commands are tables read when the parser is built, not a registry that importing
    fills: nothing at module level can be added to."""
    mutable = [name for name, value in vars(module).items()
               if not name.startswith("__") and isinstance(value, (dict, list, set))]
    assert not mutable, f"{module.__name__} holds mutable module-level state: {mutable}"
    assert isinstance(module.COMMANDS, tuple) and module.COMMANDS
    for row in module.COMMANDS:
        assert isinstance(row, tuple)
        name, summary, arguments, run = row
        assert name in COMMAND_LINE and isinstance(summary, str)
        assert all(isinstance(f, types.FunctionType) for f in (arguments, run))


def test_importing_the_cli_again_gives_the_same_commands():
    before = _command_line()
    for module in COMMAND_MODULES[::-1]:  # the command tables first, then the cli reading them
        importlib.reload(module)
    assert _command_line() == before == COMMAND_LINE
