"""The authoring subcommands of `grader`: template, build, prepare, calibrate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.authoring.project import Project
from grader.config import PACKAGE_ROOT


def _project_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path, default=PACKAGE_ROOT,
                        help="the course repository (default: the one holding this grader)")


def _template_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="assignments to generate (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; fail with a diff if the checked-in template is stale")
    _project_argument(parser)


def cmd_template(args: argparse.Namespace) -> int:
    from grader.authoring import template

    project = Project(args.project.resolve())
    names = args.names or project.names()
    if not args.check:
        for folder in template.write(project, names):
            print(f"wrote {folder}")
        return 0
    problems = template.check(project, names)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"grader: the student template is stale ({len(problems)} differences); "
              "run `grader template` and commit the result", file=sys.stderr)
        return 1
    print(f"student template up to date: {', '.join(names) or 'no assignments'}")
    return 0


def _build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="+", metavar="NAME", help="assignments to package")
    parser.add_argument("-o", "--output", type=Path, default=Path("dist"),
                        help="folder for the zips (default: dist/)")
    _project_argument(parser)


def cmd_build(args: argparse.Namespace) -> int:
    from grader.authoring import package

    project = Project(args.project.resolve())
    for name in args.names:
        for path in package.build(project, name, args.output):
            print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
    return 0


def _prepare_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the assignment whose [data] to prepare")
    parser.add_argument("--download", action="store_true",
                        help="fetch missing dataset files (needs network; setup.sh does this)")
    _project_argument(parser)


def cmd_prepare(args: argparse.Namespace) -> int:
    from grader.authoring import data

    assignment = Project(args.project.resolve()).assignment(args.name)
    for line in data.prepare(assignment, args.download) or ["no [data] datasets declared"]:
        print(line)
    return 0


def _calibrate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the assignment to calibrate")
    parser.add_argument("--seeds", type=int, default=5, help="training runs per model (default 5)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="the device class the thresholds are for (default cpu)")
    _project_argument(parser)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from grader.authoring.calibrate import calibrate

    if args.seeds < 1:
        print("grader: error: --seeds must be at least 1", file=sys.stderr)
        return 2
    calibrate(Project(args.project.resolve()), args.name, args.seeds, args.device)
    return 0


def register(command) -> None:
    """Add these subcommands through `grader.cli`'s `command` decorator."""
    command("template", "regenerate student_template/<name>/ (skeleton, public tests, "
            "golden data)", _template_arguments)(cmd_template)
    command("build", "write dist/<name>-autograder.zip (Gradescope) and dist/<name>-student.zip",
            _build_arguments)(cmd_build)
    command("prepare", "load an assignment's datasets once, so grading needs no network",
            _prepare_arguments)(cmd_prepare)
    command("calibrate", "train the reference over seeds; write accuracy thresholds to the config",
            _calibrate_arguments)(cmd_calibrate)
