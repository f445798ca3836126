"""The judge: the trusted engine that runs the tests, owns the score and writes results.json.

`plugin` (pytest hooks and fixtures), `session` (one run's state), `runner`
(stage, run pytest), `client` (the proxy tests use to reach student code),
`results` and `report` (the one results document, written, and its summary),
`metadata` (test markers) and `registration` (an assignment's own datasets). Reading
assignment.toml and results documents is `grader.assignment`'s.
"""
