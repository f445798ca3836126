"""`grader`: grade a submission, list assignments (and, below, build them)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.judge import config as configs

COMMANDS: dict[str, tuple] = {}


def command(name: str, help: str, arguments=lambda parser: None):
    """Register a subcommand: `arguments(parser)` declares its options, the function runs it."""
    def register(fn):
        COMMANDS[name] = (fn, help, arguments)
        return fn
    return register


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help, arguments) in COMMANDS.items():
        arguments(sub.add_parser(name, help=help, description=help))
    return parser


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
    _project_option(parser)


def _project_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path,
                        help="the course repository (default: $GRADER_ASSIGNMENTS, else the "
                             "assignments/ beside this grader)")


def _assignments(project: Path | None) -> list[configs.Assignment]:
    if project is None:
        return configs.available()
    from grader.authoring.project import Project

    return [configs.resolve(name, project) for name in Project(project.resolve()).names()]


@command("grade", "grade one submission and write Gradescope results.json", _grade_arguments)
def cmd_grade(args: argparse.Namespace) -> int:
    from grader.judge import runner

    assignment = configs.resolve(args.assignment, args.project)
    if args.explain:
        from grader.judge import explain

        print("\n".join(explain.lines(assignment)))
        return 0
    if args.submission is None:
        raise configs.ConfigError("grade: name the submission to grade (a folder or a zip), "
                                  "or pass --explain")
    if not args.submission.exists():
        raise configs.ConfigError(f"submission {args.submission} does not exist")
    document = runner.grade(assignment, args.submission, args.output, device=args.device,
                            sandbox=args.sandbox, pytest_report=args.pytest_report)
    if not document["tests"]:  # the plugin's summary was not printed
        print(document["output"])
    print(f"Results: {args.output}")
    return 0


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datasets", action="store_true",
                        help="list the dataset names tests and [training] dataset can use")
    _project_option(parser)


@command("list", "list the assignments (or the datasets)", _list_arguments)
def cmd_list(args: argparse.Namespace) -> int:
    assignments = _assignments(args.project)  # reading them registers their own datasets
    if args.datasets:
        from grader.toolkit.datasets import describe

        for name, text in describe().items():
            print(f"{name:<24} {text}")
        return 0
    for a in assignments:
        print(f"{a.name:<24} {a.title}")
    return 0


from grader.authoring.commands import register as register_authoring

register_authoring(command)

from grader.batch.commands import register as register_batch

register_batch(command, _project_option)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command][0](args)
    except configs.ConfigError as exc:
        print(f"grader: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
