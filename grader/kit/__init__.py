"""What assignment authors build tests with: fixtures and test bodies that keep the trust rule.

Every assignment's tests use these instead of writing their own, so each guarantee
below is written, reviewed and attacked once (docs/architecture.md, "The kit"):

- `fixtures`: models built after seeding the worker from the grading secret, inputs
  from the same generator, structures the judge rebuilt and checked against the
  student's forward.
- `forward`: output shapes (a single image in eval mode, so batch norm is fine),
  and the specified function checked with weights the judge draws and loads into
  both models (`drawn_twin`), never the student's own.
- `accuracy`: training on the calibrated budget, accuracy computed by the judge from
  predictions it made or got in a secret order, thresholds per device and dataset.
- `timing`: the reference timed in its own worker with the student paused, fresh
  inputs, every timed answer checked, and a verdict only when the ratio is clearly
  on one side of the limit (otherwise a regrade, never a failure).
- `training`: the judge's own loop and evaluation on its own copy, so training
  loops are graded by what they do to a model, not by what they report.

`SubmissionError` (student code raised) and `GraderProblem` (the grader cannot grade
this run: a regrade) are the exceptions tests may raise or catch.
"""

from grader.assignment import GraderProblem
from grader.judge.errors import SubmissionError

__all__ = ["GraderProblem", "SubmissionError"]
