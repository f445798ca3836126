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


@pytest.fixture(autouse=True)
def dataset_registry():
    """Datasets an assignment registers (grading runs in this process) end with the test."""
    from grader.toolkit import datasets

    saved = dict(datasets.REGISTRY), dict(datasets.REGISTERED_FROM)
    yield
    for live, before in zip((datasets.REGISTRY, datasets.REGISTERED_FROM), saved):
        live.clear()
        live.update(before)


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
