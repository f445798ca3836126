"""The framework's own tests. Fixture assignments under fixtures/ are graded by the
tests, never collected as tests themselves."""

import json
from pathlib import Path

import jsonschema
import pytest

collect_ignore = ["fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = json.loads((Path(__file__).parents[1] / "grader/schema/results.schema.json").read_text())


def _validate(document: dict) -> dict:
    jsonschema.validate(document, SCHEMA)
    return document


@pytest.fixture
def valid_results():
    """Every results.json the tests produce must satisfy the published schema."""
    return _validate


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
