"""The framework's own tests. Fixture assignments under fixtures/ are graded by the
tests, never collected as tests themselves."""

import json
import shutil
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Graded:
    document: dict
    failed: set[str]  # numbers of the failed tests
    lost: float       # points lost

    def worth(self, numbers: set[str]) -> float:
        """Points of the tests numbered `numbers`."""
        return sum(t["max_score"] for t in self.document["tests"] if t["number"] in numbers)


class WrongSubmissions:
    """An assignment's reference with one mistake patched in, graded in this process."""

    def __init__(self, root: Path, folder: Path):
        self.root, self.folder = root, folder

    def make(self, assignment: str, file: str, old: str, new: str) -> Path:
        """A copy of the reference with the one `old` in `file` replaced by `new`."""
        target = self.folder / "submission"
        shutil.copytree(self.root / "solutions" / assignment, target)
        source = (target / file).read_text()
        assert source.count(old) == 1, f"the reference no longer contains {old!r} once"
        (target / file).write_text(source.replace(old, new))
        return target

    def grade(self, assignment: str, submission: Path, *pytest_args: str) -> Graded:
        from grader.assignment import loading
        from grader.judge import runner

        document = _validate(runner.grade(
            loading.load(self.root / "assignments" / assignment), submission,
            self.folder / "results.json", sandbox=False, extra_args=pytest_args))
        tests = document["tests"]
        return Graded(document, {t["number"] for t in tests if t["status"] == "failed"},
                      sum(t["max_score"] - t["score"] for t in tests))


@pytest.fixture
def wrong_submissions(request, tmp_path) -> WrongSubmissions:
    return WrongSubmissions(request.config.rootpath, tmp_path)
