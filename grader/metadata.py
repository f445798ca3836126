"""Grading metadata of a collected test: pytest markers or gradescope-utils decorators."""

from __future__ import annotations

import inspect
from collections import Counter
from dataclasses import dataclass, replace

import pytest

from grader.config import VISIBILITIES

MARKERS = {
    "weight": "weight(points, split=False): points of the test; split=True shares them "
              "between the cases of a parametrized test",
    "visibility": "visibility(value): visible | hidden | after_due_date | after_published",
    "number": "number('1.2'): Gradescope sort key",
    "tags": "tags(*names): Gradescope tags",
    "leaderboard": "leaderboard(name, order='desc'): the test sets this leaderboard column",
    "hide_errors": "hide_errors(message): show this message instead of the failure reason",
}


@dataclass(frozen=True)
class TestSpec:
    name: str
    weight: float
    visibility: str | None
    number: str | None
    tags: tuple[str, ...]
    leaderboard: tuple[str, str] | None
    hide_errors: str | None
    split: bool = False


def _marker_args(item: pytest.Item, name: str) -> tuple[tuple, dict] | None:
    marker = item.get_closest_marker(name)
    return (marker.args, marker.kwargs) if marker else None


def _attr(item: pytest.Item, name: str):
    """A gradescope-utils decorator attribute (`__weight__`, ...) of the test function."""
    return getattr(getattr(item, "obj", None), f"__{name}__", None)


def _one(item: pytest.Item, name: str, default=None):
    found = _marker_args(item, name)
    if found and found[0]:
        return found[0][0]
    value = _attr(item, name)
    return default if value is None else value


def spec_of(item: pytest.Item) -> TestSpec:
    weight_marker = _marker_args(item, "weight")
    split = bool(weight_marker and weight_marker[1].get("split"))
    visibility = _one(item, "visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        raise pytest.UsageError(f"{item.nodeid}: visibility {visibility!r} is not one of "
                                f"{VISIBILITIES}")
    tags = _marker_args(item, "tags")
    return TestSpec(
        name=display_name(item),
        weight=float(_one(item, "weight", 0.0)),
        visibility=visibility,
        number=None if _one(item, "number") is None else str(_one(item, "number")),
        tags=tuple(map(str, tags[0] if tags else _attr(item, "tags") or ())),
        leaderboard=_leaderboard(item),
        hide_errors=_one(item, "hide_errors"),
        split=split,
    )


def _leaderboard(item: pytest.Item) -> tuple[str, str] | None:
    found = _marker_args(item, "leaderboard")
    if found:
        args, kwargs = found
        return str(args[0]), kwargs.get("order", args[1] if len(args) > 1 else "desc")
    column = _attr(item, "leaderboard_column")
    return (column, _attr(item, "leaderboard_sort_order") or "desc") if column else None


def display_name(item: pytest.Item) -> str:
    """The docstring's first line, else the test's name; parametrized cases add their id."""
    doc = inspect.getdoc(getattr(item, "obj", None)) if hasattr(item, "obj") else None
    base = doc.strip().splitlines()[0] if doc else getattr(item, "originalname", item.name)
    callspec = getattr(item, "callspec", None)
    return f"{base} [{callspec.id}]" if callspec else base


def specs_for(items: list[pytest.Item]) -> dict[str, TestSpec]:
    """Specs by node id; split weights and per-case numbers for parametrized tests."""
    specs = {item.nodeid: spec_of(item) for item in items}
    family = {item.nodeid: (item.parent.nodeid, getattr(item, "originalname", item.name))
              for item in items}
    sizes = Counter(family.values())
    seen: Counter = Counter()
    for item in items:
        if not hasattr(item, "callspec"):
            continue
        key = family[item.nodeid]
        seen[key] += 1
        spec = specs[item.nodeid]
        weight = spec.weight / sizes[key] if spec.split else spec.weight
        number = f"{spec.number}.{seen[key]}" if spec.number else None
        specs[item.nodeid] = replace(spec, weight=weight, number=number)
    return specs
