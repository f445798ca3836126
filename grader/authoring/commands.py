"""The authoring subcommands of `grader`: new, template, selftest, build, prepare, calibrate,
mutate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.authoring.project import Project


def _template_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="assignments to generate (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; fail with a diff if the checked-in template is stale")


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


def _new_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the new assignment's folder name")


def cmd_new(args: argparse.Namespace) -> int:
    from grader.authoring import scaffold

    project = Project(args.project.resolve())
    for path in scaffold.new(project, args.name):
        print(f"wrote {path}")
    print(f"next: grader template {args.name}; grader selftest {args.name} "
          f"(add --project {project.root} when running elsewhere)")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: at least 1")
    return value


def _selftest_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="the device to grade on (default cpu, as on Gradescope)")
    parser.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                        help="run the submissions in the judge's process (quicker; debugging)")
    parser.add_argument("--seeds", type=_positive, default=1, metavar="N",
                        help="grade the reference under N grading secrets (other inputs, "
                             "held-out order and training seeds each time; default 1)")


def _selftest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="+", metavar="NAME", help="assignments to check")
    _selftest_options(parser)


def selftest_passes(project: Project, names: list[str], args: argparse.Namespace) -> bool:
    """Run `grader selftest` on each name; print what it finds."""
    from grader.authoring import selftest

    problems = [problem for name in names
                for problem in selftest.run(project, name, device=args.device,
                                            sandbox=args.sandbox, seeds=args.seeds)]
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    if problems:
        print(f"grader: selftest found {len(problems)} problems", file=sys.stderr)
    return not problems


def cmd_selftest(args: argparse.Namespace) -> int:
    return 0 if selftest_passes(Project(args.project.resolve()), args.names, args) else 1


def _build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="+", metavar="NAME", help="assignments to package")
    parser.add_argument("-o", "--output", type=Path, default=Path("dist"),
                        help="folder for the zips (default: dist/)")
    parser.add_argument("--no-selftest", dest="selftest", action="store_false",
                        help="package without running `grader selftest` first")
    parser.add_argument("--new-secret", action="store_true",
                        help="a new grading secret for a new term (new secret test sets): "
                             "runs every assignment's [secret_files] make and `grader template`")
    _selftest_options(parser)


def cmd_build(args: argparse.Namespace) -> int:
    from grader.authoring import course_secret, package

    project = Project(args.project.resolve())
    if course_secret.ensure(project, new=args.new_secret):
        print(f"wrote a new grading secret: {course_secret.path(project)} (keep it with the "
              "staff; never give it to students)")
        _remake_secret_files(project)
    if args.selftest and not selftest_passes(project, args.names, args):
        print("grader: nothing packaged", file=sys.stderr)
        return 1
    for name in args.names:
        for path in package.build(project, name, args.output):
            print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
    return 0


def _remake_secret_files(project: Project) -> None:
    """Files drawn from the secret, and the student templates that ship them, made again."""
    from grader.authoring import course_secret, template

    drawn = [name for name in project.names()
             if project.assignment(name).settings.secret_files.make is not None]
    for name in drawn:
        course_secret.remake(project, project.assignment(name))
    for folder in template.write(project, drawn):
        print(f"wrote {folder}")


def _prepare_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the assignment whose [data] to prepare")
    parser.add_argument("--download", action="store_true",
                        help="fetch missing or corrupt files from their pinned URLs, checked "
                             "against their SHA-256 (needs network; setup.sh does this)")
    parser.add_argument("--sources", type=Path, metavar="FILE",
                        help="a TOML file of sources over the built-in ones (a mirror, a "
                             "course's own zip with its sha256)")


def cmd_prepare(args: argparse.Namespace) -> int:
    from grader.authoring import data

    assignment = Project(args.project.resolve()).assignment(args.name)
    prepared = data.prepare(assignment, args.download, args.sources)
    for line in prepared.lines or ["no [data] datasets declared"]:
        print(line)
    for problem in prepared.problems:
        print(f"grader: {problem}", file=sys.stderr)
    return 1 if prepared.problems else 0


def _calibrate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the assignment to calibrate")
    parser.add_argument("--seeds", type=int, default=20,
                        help="training runs per model and design (default and least: 20)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="the device class the thresholds are for (default cpu)")
    parser.add_argument("-o", "--report", type=Path,
                        help="also write the report (Markdown) here, refused or not")


def cmd_calibrate(args: argparse.Namespace) -> int:
    from grader.authoring.calibrate import CalibrationRefused, calibrate

    try:
        calibrate(Project(args.project.resolve()), args.name, args.seeds, args.device,
                  markdown_path=args.report)
    except CalibrationRefused as exc:
        print(f"grader: calibrate refused to write thresholds: {exc}", file=sys.stderr)
        return 1
    return 0


def _mutate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the assignment whose tests to check")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="grade N mutants spread evenly over the functions (default: all)")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="mutants graded at once (default: as `grader batch`, from the "
                             "CPUs and memory)")
    parser.add_argument("-m", dest="markers", metavar="MARKEXPR",
                        help="grade with only the tests this pytest marker expression selects "
                             "(quick runs; a full run grades with every test)")
    parser.add_argument("-o", "--output", type=Path,
                        help="also write the report here (Markdown) and as .json beside it")


def cmd_mutate(args: argparse.Namespace) -> int:
    from grader.authoring import mutation_report, mutation_run
    from grader.batch.run import stopped_by_kill

    if any(n is not None and n < 1 for n in (args.sample, args.jobs)):
        print("grader: error: --sample and --jobs must be at least 1", file=sys.stderr)
        return 2
    project = Project(args.project.resolve())
    assignment = project.assignment(args.name)
    try:
        with stopped_by_kill():
            run = mutation_run.run(assignment, project.reference(assignment),
                                   sample=args.sample, jobs=args.jobs,
                                   selection=("-m", args.markers) if args.markers else ())
    except KeyboardInterrupt:
        print("Stopped: the gradings in progress were stopped; no report was written.",
              file=sys.stderr)
        return 130
    print(mutation_report.markdown(run))
    for path in mutation_report.write(run, args.output) if args.output else []:
        print(f"wrote {path}")
    return 0 if run.passed else 1


# (name, help, a function adding its arguments, the function running it): `grader.cli` builds
# each subcommand from its row and adds the --project every command takes
COMMANDS = (
    ("new", "scaffold a new assignment: config, tests, a reference, a wrong submission",
     _new_arguments, cmd_new),
    ("template", "regenerate student_template/<name>/ (skeleton, public tests, golden data)",
     _template_arguments, cmd_template),
    ("selftest", ("grade the reference (full marks), the skeleton (0) and each "
                  "test_submissions/ case (its expected.toml)"), _selftest_arguments, cmd_selftest),
    ("build", ("run selftest, then write dist/<name>-autograder.zip (Gradescope) and "
               "dist/<name>-student.zip"), _build_arguments, cmd_build),
    ("prepare", "load an assignment's datasets once, so grading needs no network",
     _prepare_arguments, cmd_prepare),
    ("calibrate", "train the reference over seeds; write accuracy thresholds to the config",
     _calibrate_arguments, cmd_calibrate),
    ("mutate", "grade mutants of the reference: do the tests catch wrong solutions?",
     _mutate_arguments, cmd_mutate),
)
