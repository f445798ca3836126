"""Benchmark: grading time of this checkout against an earlier commit, interleaved, same run.

Checks the earlier commit out into a git worktree with a venv of its own (a
hard-linked copy of .venv, re-pointed at the worktree with an editable
install), then grades the assignment's reference with each in turn, ROUNDS
times, alternating which goes first. Reports every time, the medians and
their ratio: on a shared machine only the ratio means something.

Usage: python bench/bench_versions.py [REV] [ASSIGNMENT] [--rounds N] [--no-sandbox]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def earlier_checkout(rev: str, workdir: Path) -> Path:
    """A worktree at `rev` with its own venv; returns that venv's python."""
    tree, venv = workdir / "tree", workdir / "venv"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
                   check=True, capture_output=True)
    subprocess.run(["cp", "-al", str(ROOT / ".venv"), str(venv)], check=True)
    # Unlink the copy's own install of grader first: pip would rewrite files that are
    # still hard links into .venv, and re-point this checkout's venv too.
    for installed in (venv / "lib").glob("python*/site-packages/*grader*"):
        subprocess.run(["rm", "-rf", str(installed)], check=True)
    subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet", "--no-deps",
                    "-e", str(tree)], check=True, capture_output=True)
    return venv / "bin/python"


def grade_seconds(python: Path, tree: Path, assignment: str, sandbox: bool, out: Path) -> float:
    command = [str(python), "-m", "grader.cli", "grade", assignment,
               str(tree / "solutions" / assignment), "-o", str(out), "--device", "cpu",
               *([] if sandbox else ["--no-sandbox"])]
    start = time.perf_counter()
    subprocess.run(command, cwd=tree, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    document = json.loads(out.read_text())
    full = sum(t["max_score"] for t in document["tests"])
    if document["score"] != full:
        sys.exit(f"{tree}: the reference scored {document['score']}/{full}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", nargs="?", default="HEAD",
                        help="the earlier commit (default HEAD: the uncommitted change)")
    parser.add_argument("assignment", nargs="?", default="mnist_nets")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-sandbox", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-versions-") as tmp:
        workdir = Path(tmp)
        sides = {"this checkout": (ROOT / ".venv/bin/python", ROOT),
                 args.rev: (earlier_checkout(args.rev, workdir), workdir / "tree")}
        times: dict[str, list[float]] = {name: [] for name in sides}
        try:
            for i in range(args.rounds):
                for name in (list(sides) if i % 2 == 0 else list(sides)[::-1]):
                    python, tree = sides[name]
                    times[name].append(grade_seconds(python, tree, args.assignment,
                                                     not args.no_sandbox, workdir / "r.json"))
                    print(f"round {i + 1}: {name}: {times[name][-1]:.1f} s", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(workdir / "tree")], check=False, capture_output=True)
    medians = {name: statistics.median(t) for name, t in times.items()}
    mode = "in-process" if args.no_sandbox else "sandboxed"
    print(f"{args.assignment} reference, {mode}, {args.rounds} rounds interleaved:")
    for name, median in medians.items():
        print(f"  {name}: median {median:.1f} s ({', '.join(f'{t:.1f}' for t in times[name])})")
    print(f"  ratio this checkout / {args.rev}: {medians['this checkout'] / medians[args.rev]:.3f}")


if __name__ == "__main__":
    main()
