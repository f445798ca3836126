"""The two ways an assignment's configuration stops grading (kept free of heavy imports:
the judge, the tests and the staff's tools all raise or catch them)."""


class ConfigError(Exception):
    """An assignment that cannot be found or whose configuration is wrong."""


class GraderProblem(Exception):
    """The grader cannot grade this test on this run (its configuration lacks something):
    the test is marked for a regrade, never failed on the student's account.

    The message is the student's (no blame, no expected values); `staff_note` says what
    is missing, for the staff's log.
    """

    def __init__(self, message: str, staff_note: str):
        super().__init__(message)
        self.staff_note = staff_note
