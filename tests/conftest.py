"""The framework's own tests. Fixture assignments under fixtures/ are graded by the
tests, never collected as tests themselves."""

collect_ignore = ["fixtures"]
