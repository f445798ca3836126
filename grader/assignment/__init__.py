"""An assignment, read: its `assignment.toml` and the results documents of its gradings.

Free of torch, numpy and pytest, so that every tool (the judge, the batch runner, the
authoring commands) reads an assignment the same way, cheaply, and without side effects.

`tables` (the TOML tables and `parse`), `checking` (a TOML document checked against
them), `definition` (the typed `Assignment`), `loading` (where assignments are, read once
per process), `names` (dataset names, read from source), `thresholds` (accuracy
thresholds by device and data), `results` (a results document, read back), `errors`.
"""

from grader.assignment.checking import parse_table
from grader.assignment.definition import CASES, CONFIG_NAME, Assignment
from grader.assignment.errors import ConfigError, GraderProblem
from grader.assignment.loading import (
    PACKAGE_ROOT,
    assignments_dir,
    available,
    find_root,
    load,
    resolve,
)
from grader.assignment.results import REGRADE, Results, Row, read_results
from grader.assignment.tables import DEVICES, VISIBILITIES, GradingTable, Settings, parse

__all__ = ["CASES", "CONFIG_NAME", "DEVICES", "PACKAGE_ROOT", "REGRADE", "VISIBILITIES",
           "Assignment", "ConfigError", "GraderProblem", "GradingTable", "Results", "Row",
           "Settings", "assignments_dir", "available", "find_root", "load", "parse",
           "parse_table", "read_results", "resolve"]
