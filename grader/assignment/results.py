"""A results document (results.json as the judge writes it), read back, typed.

What the report, the gradebook, `grader ci`, selftest and mutation runs read, rather than
reading its keys by hand; the judge's `grader.judge.results` writes the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REGRADE = "regrade"  # extra_data: the tests (numbers, else names) a regrade must grade again


@dataclass(frozen=True)
class Row:
    """One test's row of a results document, read back."""

    name: str
    score: float
    max_score: float
    status: str = "failed"
    output: str = ""
    number: str | None = None
    visibility: str | None = None

    @property
    def label(self) -> str:
        """The number and the name, as staff name a test: "1.2 Model has ..."."""
        return " ".join(filter(None, (self.number, self.name)))

    @property
    def lost_points(self) -> bool:
        return self.score < self.max_score - 1e-9

    @property
    def hidden(self) -> bool:
        """Not shown to students before the scores are released."""
        return self.visibility not in (None, "visible")


@dataclass(frozen=True)
class Results:
    """A results document, read back: what the report, the gradebook, `grader ci`,
    selftest and mutation runs use, rather than reading its keys by hand."""

    score: float
    rows: tuple[Row, ...]
    output: str = ""
    visibility: str = "visible"  # the rows' own visibility, where they have none
    extra_data: dict[str, Any] = field(default_factory=dict)

    @property
    def max_score(self) -> float:
        return sum(row.max_score for row in self.rows)

    @property
    def full_marks(self) -> bool:
        """Some test graded, and every point earned."""
        return bool(self.rows) and self.score >= self.max_score - 1e-9

    @property
    def regrade(self) -> bool:
        return bool(self.extra_data.get(REGRADE))


def read_results(document: dict) -> Results:
    """The typed view of a results document (results.json as the judge writes it)."""
    default = document.get("visibility") or "visible"
    return Results(
        score=document["score"], output=document.get("output", ""), visibility=default,
        extra_data=document.get("extra_data") or {},
        rows=tuple(Row(row["name"], row["score"], row["max_score"], row.get("status", "failed"),
                       row.get("output", ""), row.get("number"),
                       row.get("visibility") or default)
                   for row in document.get("tests", [])))
