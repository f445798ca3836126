"""Grading many submissions: `grader batch` (locally or on a Ray cluster) and `grader ci`.

Every grading here is `grader grade`, run as a child process; see `run.grade_many`.
"""

from grader.batch.run import GradedSubmission, grade_many
from grader.batch.sources import Student, Submission

__all__ = ["GradedSubmission", "Student", "Submission", "grade_many"]
