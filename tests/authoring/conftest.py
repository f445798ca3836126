"""Fixtures: the checked-in fixture course, or a writable copy of it."""

import shutil

import pytest
from course import PROJECT

from grader.authoring.project import Project


@pytest.fixture
def project() -> Project:
    """The checked-in fixture course (read-only)."""
    return Project(PROJECT)


@pytest.fixture
def course(tmp_path) -> Project:
    """A writable copy of the fixture course."""
    root = tmp_path / "course"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return Project(root)
