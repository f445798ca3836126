"""Does the reference earn full marks whatever the seeds? Grade it under N different secrets.

When grading, every test's inputs, the held-out order and the training seed come from
a secret: a digest of the assignment folder and the submission (judge.session). Each
run here grades a copy of the reference with one extra file, `seed-<k>.txt`, so each
gets a different secret, and so different inputs and training seeds: the reference
graded N times as N different students would see it. Sharper tests must not make the
reference flaky; a run below full marks names the tests it lost.

Usage: python bench/reference_seeds.py ASSIGNMENT [--seeds 10] [--jobs 1] [-o report.md]
Exits 1 if any run scores below full marks. One grading at a time by default: timing
tests compare CPU times, which gradings running side by side on few cores disturb.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import torch

from grader.authoring.project import Project
from grader.batch.run import grade_many
from grader.batch.sources import Submission


def copies(reference: Path, folder: Path, seeds: int) -> list[Submission]:
    runs = []
    for k in range(seeds):
        target = folder / f"seed-{k}"
        shutil.copytree(reference, target, ignore=shutil.ignore_patterns("__pycache__"))
        (target / f"seed-{k}.txt").write_text(f"{k}\n")
        runs.append(Submission(target.name, target))
    return runs


def row(outcome) -> tuple[str, bool]:
    tests = outcome.document["tests"]
    score, possible = outcome.document["score"], sum(t["max_score"] for t in tests)
    lost = [f"{t['number']} ({t['max_score'] - t['score']:g})" for t in tests
            if t["score"] < t["max_score"]]
    full = not outcome.failed and bool(tests) and score >= possible - 1e-9
    detail = outcome.problem or ", ".join(lost) or "-"
    return (f"| {outcome.submission.id} | {score:g}/{possible:g} | {outcome.seconds:.0f} s "
            f"| {detail} |"), full


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, help="also write the report here")
    args = parser.parse_args()
    project = Project()
    assignment = project.assignment(args.assignment)
    with tempfile.TemporaryDirectory(prefix="grader-seeds-") as scratch:
        runs = copies(project.reference(assignment), Path(scratch), args.seeds)
        outcomes = sorted(grade_many(assignment, runs, Path(scratch) / "results",
                                     jobs=args.jobs, device="cpu"),
                          key=lambda o: int(o.submission.id.split("-")[1]))
    rows = [row(outcome) for outcome in outcomes]
    full = sum(ok for _, ok in rows)
    context = (f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}; torch {torch.__version__}, "
               f"{platform.machine()}, CPU, {args.jobs} gradings at once. "
               f"`python bench/reference_seeds.py {args.assignment} --seeds {args.seeds}`.")
    report = "\n".join([
        f"# {args.assignment}: the reference under {args.seeds} grading secrets", "",
        context, "",
        f"**{full}/{len(rows)} runs at full marks.**", "",
        "| run | score | wall | tests below full marks |", "|---|---|---|---|",
        *(text for text, _ in rows), ""])
    print(report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report)
    return 0 if full == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
