"""The subcommands of `grader` for grading many submissions: batch, ci."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
import tempfile
from pathlib import Path

from grader import textsafe
from grader.assignment import ConfigError, loading


def _split(text: str) -> list[str]:
    """Options written as on a shell's command line."""
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _batch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="a name under assignments/ or a path to one")
    parser.add_argument("submissions", type=Path,
                        help="a folder of per-student folders or zips, or Gradescope's "
                             "'Export Submissions' zip (or that zip unpacked)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="OUTDIR",
                        help="OUTDIR/<submission>/results.json for each, plus gradebook.csv, "
                             "summary.md and pictures")
    parser.add_argument("--jobs", type=int, help="gradings at once (default: from the CPU "
                        "count and memory)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the submissions OUTDIR already holds graded with the same "
                             "assignment and options; grade the rest")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--pytest-args", type=_split, default=[], metavar="ARGS",
                        help="extra pytest options for every grading, e.g. \"-m 'not training'\" "
                             "for a quick trial (scores are then not final)")
    parser.add_argument("--timeout", type=float, metavar="S",
                        help="stop a grading after S seconds (default: the assignment's time "
                             "budget plus slack)")
    cluster = parser.add_argument_group("Ray cluster")
    cluster.add_argument("--ray", metavar="ADDRESS",
                         help="run the gradings as Ray tasks on this cluster (e.g. auto, "
                              "ray://head:10001); 'local' starts Ray on this machine with "
                              "--jobs CPUs")
    cluster.add_argument("--cpus-per-grading", type=float, default=1.0, metavar="N")
    cluster.add_argument("--gpus-per-grading", type=float, default=0.0, metavar="N",
                         help="0.5 lets two gradings share a GPU (default 0)")
    cluster.add_argument("--memory-per-grading", type=float, default=3.0, metavar="GB")


def cmd_batch(args: argparse.Namespace) -> int:
    from grader.batch import sources
    from grader.batch.run import stopped_by_kill
    from grader.host import default_jobs

    assignment = loading.resolve(args.assignment, args.project)
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    if not args.resume and any(args.output.glob("*/grading.json")):
        raise ConfigError(
            f"{args.output} already holds graded submissions: pass --resume to keep them "
            "and grade the rest, or choose another folder")
    jobs = args.jobs or default_jobs()
    cluster = _cluster(args, jobs)
    with tempfile.TemporaryDirectory(prefix="grader-batch-") as scratch:
        found = sources.find(args.submissions, Path(scratch))
        if not found.submissions:
            raise ConfigError(f"no submissions found in {args.submissions}")
        try:
            with stopped_by_kill():  # none of the stopped gradings is marked done
                outcomes = _grade_all(args, assignment, found, jobs, cluster)
        except KeyboardInterrupt:
            print("Stopped: the gradings in progress were stopped; `grader batch --resume` "
                  "goes on from here.", file=sys.stderr)
            return 130
    outcomes.sort(key=lambda o: o.submission.id)
    _write_reports(assignment.name, args.output, outcomes)
    print(f"{len(outcomes)} submissions: {args.output / 'gradebook.csv'}, "
          f"{args.output / 'summary.md'}")
    failed = [o.submission.id for o in outcomes if o.failed]
    if failed:
        print(f"The grader failed on {len(failed)} of them ({', '.join(failed)}); their "
              "rows say so, and `grader batch --resume` grades them again.", file=sys.stderr)
    return 1 if failed else 0


def _grade_all(args: argparse.Namespace, assignment, found, jobs: int, cluster) -> list:
    """Every submission's outcome, with progress shown as they finish."""
    from grader.batch.progress import Progress, ProgressHandler
    from grader.batch.run import grade_many

    progress = Progress(len(found.submissions))
    handler = ProgressHandler(progress)
    logger = logging.getLogger("grader.batch")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        if found.ignored:
            names = (textsafe.one_line(name) for name in found.ignored)  # no terminal escapes
            logger.info("Not submissions, skipped: %s", ", ".join(names))
        outcomes = []
        for outcome in grade_many(assignment, found.submissions, args.output, jobs=jobs,
                                  device=args.device, pytest_args=args.pytest_args,
                                  resume=args.resume, timeout_s=args.timeout,
                                  cluster=cluster):
            outcomes.append(outcome)
            progress.update(outcome)
        return outcomes
    finally:
        progress.close()
        logger.removeHandler(handler)


def _cluster(args: argparse.Namespace, jobs: int):
    if not args.ray:
        return None
    if args.device == "cuda" and args.gpus_per_grading <= 0:
        raise ConfigError("--device cuda on Ray needs --gpus-per-grading (e.g. 1, or "
                          "0.5 for two gradings per GPU): Ray hides GPUs from tasks "
                          "that ask for none")
    from grader.batch.ray_backend import Cluster, import_ray

    import_ray()  # now, not after the batch has started
    return Cluster(args.ray, cpus=args.cpus_per_grading, gpus=args.gpus_per_grading,
                   memory_gb=args.memory_per_grading, local_cpus=jobs)


def _write_reports(name: str, outdir: Path, outcomes: list) -> None:
    """gradebook.csv, the pictures and summary.md."""
    from grader.batch import gradebook, plots

    gradebook.write_csv(outdir / "gradebook.csv", outcomes)
    rates = gradebook.pass_rates(outcomes)
    measured = gradebook.accuracies(outdir, outcomes)
    graded = [o for o in outcomes if not o.failed]
    pictures = [plots.scores(outdir / "scores.png", [o.graded.score for o in graded],
                             max((o.graded.max_score for o in graded), default=0))]
    if rates:
        pictures.append(plots.pass_rates(outdir / "pass_rates.png", rates))
    if measured:
        pictures.append(plots.accuracies(outdir / "accuracies.png", measured))
    (outdir / "summary.md").write_text(
        gradebook.summary(name, outcomes, rates, measured, pictures), encoding="utf-8")


def _ci_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="a name under assignments/ or a path to one "
                        "(in a student repository: .)")
    parser.add_argument("submission", type=Path, help="the submission: a folder or a zip")
    parser.add_argument("-o", "--output", type=Path, default=Path("results.json"),
                        help="results.json, as `grader grade` writes it (default: "
                             "results.json; the judge's log goes beside it, as .log)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--fail-below-full", action="store_true",
                        help="exit 1 unless the score is full marks (default: exit 0 "
                             "whenever grading ran, whatever the score)")


def cmd_ci(args: argparse.Namespace) -> int:
    from grader.batch import ci

    assignment = loading.resolve(args.assignment, args.project)
    if not args.submission.exists():
        raise ConfigError(f"submission {args.submission} does not exist")
    document = ci.grade(assignment, args.submission, args.output, args.device)
    public_only = bool(assignment.config.get("assignment", {}).get("public_tests_only"))
    ci.publish(document, assignment.name, public_only)
    return ci.exit_code(document, args.fail_below_full)


# (name, help, a function adding its arguments, the function running it): `grader.cli` builds
# each subcommand from its row and adds the --project every command takes
COMMANDS = (
    ("batch", ("grade a class's submissions in parallel (or on a Ray cluster): results.json "
               "each, gradebook.csv, summary.md, pictures"), _batch_arguments, cmd_batch),
    ("ci", "grade one submission in CI: job summary, Classroom's points line, results.json",
     _ci_arguments, cmd_ci),
)
