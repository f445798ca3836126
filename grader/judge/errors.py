"""The exception tests see when student code fails (kept free of heavy imports; the
grader's own problems are `grader.assignment.GraderProblem`)."""


class SubmissionError(Exception):
    """Student code raised or could not run; the message is written for the student."""

    def __init__(self, message: str, error: dict | None = None):
        super().__init__(message)
        self.error = error or {}

