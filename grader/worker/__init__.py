"""The worker: the only code that runs beside student code (`python -I -m grader.worker`).

It depends on nothing of the judge: only the wire format (`grader.wire`) and
the toolkit. Whatever it returns is a claim the judge verifies, never a fact.
"""
