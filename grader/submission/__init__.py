"""How tests reach student code: a proxy on the judge's side, a dispatcher next to the code."""

from grader.submission.client import Handle, Submission, SubmissionError

__all__ = ["Handle", "Submission", "SubmissionError"]
