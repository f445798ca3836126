"""The exceptions tests see when student code fails, or when the grader cannot grade
(kept free of heavy imports)."""


class SubmissionError(Exception):
    """Student code raised or could not run; the message is written for the student."""

    def __init__(self, message: str, error: dict | None = None):
        super().__init__(message)
        self.error = error or {}


class GraderProblem(Exception):
    """The grader cannot grade this test on this run (its configuration lacks something):
    the test is marked for a regrade, never failed on the student's account.

    The message is the student's (no blame, no expected values); `staff_note` says what
    is missing, for the staff's log.
    """

    def __init__(self, message: str, staff_note: str):
        super().__init__(message)
        self.staff_note = staff_note
