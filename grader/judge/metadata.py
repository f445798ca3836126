"""Grading metadata of a collected test: pytest markers or gradescope-utils decorators."""

from __future__ import annotations

import difflib
import inspect
import math
from collections import Counter
from dataclasses import dataclass, replace

import pytest

from grader.assignment import VISIBILITIES

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


class MarkerError(pytest.UsageError):
    """A grading marker with arguments it does not take: the run stops before any test runs.

    Like pytest-timeout's own marker checks, but at collection: a mistyped
    weight would otherwise grade silently wrong (0/0, or unsplit points).
    """


# How each marker's arguments are read: `inspect.signature` binds them (so unknown keywords,
# missing or surplus arguments fail), then the function checks their types.

def _weight(points, split=False) -> tuple[float, bool]:
    return _points(points), _flag(split, "split")


def _visibility(value) -> str:
    return _choice(value, "visibility", VISIBILITIES)


def _number(value) -> str:
    return _text(value, "number")


def _tags(*names) -> tuple[str, ...]:
    return tuple(_text(name, "each tag") for name in names)


def _leaderboard(name, order="desc") -> tuple[str, str]:
    return _text(name, "name"), _choice(order, "order", ("asc", "desc"))


def _hide_errors(message) -> str:
    return _text(message, "message")


PARSERS = {"weight": _weight, "visibility": _visibility, "number": _number, "tags": _tags,
           "leaderboard": _leaderboard, "hide_errors": _hide_errors}


def _points(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        raise ValueError(f"points must be a number >= 0, not {value!r}")
    return float(value)


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return value


def _text(value, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {value!r}")
    return value


def _choice(value, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _written(marker: pytest.Mark) -> str:
    arguments = [*map(repr, marker.args), *(f"{k}={v!r}" for k, v in marker.kwargs.items())]
    return f"@pytest.mark.{marker.name}({', '.join(arguments)})"


def _marker(item: pytest.Item, name: str):
    """The closest `name` marker's arguments, read by PARSERS[name]; None without one."""
    marker = item.get_closest_marker(name)
    if marker is None:
        return None
    parser = PARSERS[name]
    try:
        bound = inspect.signature(parser).bind(*marker.args, **marker.kwargs)
        return parser(*bound.args, **bound.kwargs)
    except (TypeError, ValueError) as exc:
        usage = MARKERS[name].split(":")[0]
        raise MarkerError(f"{item.nodeid}: {_written(marker)}: {exc}; usage: "
                          f"@pytest.mark.{usage}") from None


def _attr(item: pytest.Item, name: str):
    """A gradescope-utils decorator attribute (`__weight__`, ...) of the test function."""
    return getattr(getattr(item, "obj", None), f"__{name}__", None)


def _decorated(item: pytest.Item, name: str, check):
    """A gradescope-utils attribute, checked like the marker's argument; None without one."""
    value = _attr(item, name)
    try:
        return None if value is None else check(value)
    except (TypeError, ValueError) as exc:
        raise MarkerError(f"{item.nodeid}: @{name}({value!r}): {exc}") from None


def _misspelt_markers(item: pytest.Item) -> None:
    """`@pytest.mark.wieght(2)` is only a warning to pytest, and would grade 0/0."""
    for marker in item.iter_markers():
        close = difflib.get_close_matches(marker.name, MARKERS, n=1, cutoff=0.75)
        if close and marker.name not in MARKERS:
            raise MarkerError(f"{item.nodeid}: {_written(marker)}: unknown marker; did you "
                              f"mean @pytest.mark.{close[0]}?")


def spec_of(item: pytest.Item) -> TestSpec:
    """The test's grading metadata; MarkerError if a marker is misused."""
    _misspelt_markers(item)
    weight = _marker(item, "weight")
    points = weight[0] if weight else _decorated(item, "weight", _points)
    tags = _marker(item, "tags")
    number = _marker(item, "number")
    if number is None and _attr(item, "number") is not None:
        number = str(_attr(item, "number"))
    return TestSpec(
        name=display_name(item),
        weight=points or 0.0,
        visibility=_marker(item, "visibility") or _decorated(item, "visibility", _visibility),
        number=number,
        tags=tags if tags is not None else tuple(map(str, _attr(item, "tags") or ())),
        leaderboard=_marker(item, "leaderboard") or _leaderboard_attr(item),
        hide_errors=_marker(item, "hide_errors") or _attr(item, "hide_errors"),
        split=bool(weight and weight[1]),
    )


def _leaderboard_attr(item: pytest.Item) -> tuple[str, str] | None:
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
