"""Benchmark: what the grading engine adds on top of plain pytest, same tests, same run.

Two workloads, each timed as whole commands (interpreter start included),
interleaved and repeated, median reported:

- ``example``: the engine's example assignment against its good submission,
  `python -m pytest` (plugin active, no results file) vs `grader grade --no-sandbox`;
- ``synthetic``: 400 trivial tests carrying grading markers, `python -m pytest
  -p no:grader` (no engine at all) vs `grader grade --no-sandbox`.

Usage: python bench/bench_engine.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests/fixtures/example"
GOOD = ROOT / "tests/fixtures/submissions/good"

SYNTHETIC_TEST = '''
import pytest


@pytest.mark.weight(1)
@pytest.mark.parametrize("i", range(400))
def test_case(i):
    assert i >= 0
'''


def seconds(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    run = subprocess.run(command, cwd=cwd, check=False, capture_output=True, text=True)
    if run.returncode not in (0, 1):  # 1: the example's deliberately failing tests
        raise RuntimeError(f"{command} failed:\n{run.stdout}{run.stderr}")
    return time.perf_counter() - start


def compare(name: str, plain: list[str], graded: list[str], cwd: Path, repeats: int) -> None:
    samples = {"pytest": [], "grader": []}
    for i in range(repeats):
        order = [("pytest", plain), ("grader", graded)]
        for label, command in order if i % 2 == 0 else order[::-1]:
            samples[label].append(seconds(command, cwd))
    plain_s, graded_s = (statistics.median(samples[k]) for k in ("pytest", "grader"))
    print(f"{name:<10} pytest {plain_s:6.2f} s   grader grade {graded_s:6.2f} s   "
          f"ratio {graded_s / plain_s:.2f}x   (median of {repeats})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        grade = [python, "-m", "grader.cli", "grade", "--no-sandbox", "--device", "cpu", "-o",
                 str(tmp / "results.json")]
        compare("example", [python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(EXAMPLE), "--submission", str(GOOD)],
                [*grade, str(EXAMPLE), str(GOOD)], tmp, args.repeats)
        synthetic = tmp / "synthetic"
        synthetic.mkdir()
        (synthetic / "assignment.toml").write_text('[assignment]\nname = "synthetic"\n')
        (synthetic / "test_synthetic.py").write_text(SYNTHETIC_TEST)
        compare("synthetic", [python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                              "-p", "no:grader", "-W", "ignore", str(synthetic)],
                [*grade, str(synthetic), str(GOOD)], tmp, args.repeats)


if __name__ == "__main__":
    main()
