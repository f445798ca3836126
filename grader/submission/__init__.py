"""How tests reach student code: a proxy on the judge's side, a dispatcher next to the code.

Importing this package stays light (no torch): `client` and `dispatch` load on use.
"""

from grader.submission.errors import SubmissionError

__all__ = ["SubmissionError"]
