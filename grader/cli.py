"""`grader`: grade a submission, list assignments (and, below, build them)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.assignment import PACKAGE_ROOT, Assignment, ConfigError, loading
from grader.authoring import commands as authoring
from grader.batch import commands as batch
from grader.judge.registration import register_datasets


def _grade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="a name under assignments/ or a path to one")
    parser.add_argument("submission", type=Path, nargs="?",
                        help="the submission: a folder or a zip (not with --explain)")
    parser.add_argument("--explain", action="store_true",
                        help="grade nothing: print each test's number, name, points, "
                             "visibility and what it checks, hidden tests included (for staff)")
    parser.add_argument("-o", "--output", type=Path, default=Path("results.json"))
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                        help="run student code in the judge's process (debugging only)")
    parser.add_argument("--pytest-report", type=Path,
                        help="also write pytest-json-report's full report here (for staff)")


def _assignments(project: Path | None) -> list[Assignment]:
    if project is None:
        return loading.available()
    from grader.authoring.project import Project

    return [loading.resolve(name, project) for name in Project(project.resolve()).names()]


def cmd_grade(args: argparse.Namespace) -> int:
    from grader.judge import runner

    assignment = loading.resolve(args.assignment, args.project)
    register_datasets(assignment)  # a module that cannot be registered fails here, clearly
    if args.explain:
        from grader.judge import explain

        print("\n".join(explain.lines(assignment)))
        return 0
    if args.submission is None:
        raise ConfigError("grade: name the submission to grade (a folder or a zip), "
                          "or pass --explain")
    if not args.submission.exists():
        raise ConfigError(f"submission {args.submission} does not exist")
    document = runner.grade(assignment, args.submission, args.output, device=args.device,
                            sandbox=args.sandbox, pytest_report=args.pytest_report)
    if not document["tests"]:  # the plugin's summary was not printed
        print(document["output"])
    print(f"Results: {args.output}")
    return 0


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datasets", action="store_true",
                        help="list the dataset names tests and [training] dataset can use")


def cmd_list(args: argparse.Namespace) -> int:
    assignments = _assignments(args.project)
    if args.datasets:
        from grader.toolkit.datasets import describe

        for assignment in assignments:
            register_datasets(assignment)
        for name, text in describe().items():
            print(f"{name:<24} {text}")
        return 0
    for a in assignments:
        print(f"{a.name:<24} {a.title}")
    return 0


# (name, help, a function adding its arguments, the function running it), as in
# authoring.commands and batch.commands
COMMANDS = (
    ("grade", "grade one submission and write Gradescope results.json", _grade_arguments,
     cmd_grade),
    ("list", "list the assignments (or the datasets)", _list_arguments, cmd_list),
)

# Every command takes --project, the course repository. Grading and listing find assignments
# as loading.resolve does; authoring writes into a repository, by default the one holding
# this grader. (default, how --help words it)
_RESOLVED = (None, "$GRADER_ASSIGNMENTS, else the assignments/ beside this grader")
_HOLDING = (PACKAGE_ROOT, "the one holding this grader")

# The tables in `grader --help`'s order, each with its commands' --project
TABLES = ((COMMANDS, _RESOLVED), (authoring.COMMANDS, _HOLDING), (batch.COMMANDS, _RESOLVED))


def _project_option(parser: argparse.ArgumentParser, default: Path | None, said: str) -> None:
    parser.add_argument("--project", type=Path, default=default,
                        help=f"the course repository (default: {said})")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, built afresh from the tables: each subcommand's parser knows
    the function that runs it (`args.run`)."""
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for table, project in TABLES:
        for name, summary, arguments, run in table:
            command = sub.add_parser(name, help=summary, description=summary)
            arguments(command)
            _project_option(command, *project)
            command.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"grader: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
