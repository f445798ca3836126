"""A TOML document checked against frozen dataclasses, one per table.

An unknown table or key (a typo) or a value of the wrong type is a ConfigError naming
the table and the key, with the closest known key when there is one. A field whose
metadata holds SUBTABLES is a table of named sub-tables (`[models.SimpleNN]`); a
"keys" entry there lists the names allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import MISSING
from typing import Any

from grader.assignment.errors import ConfigError

SUBTABLES = {"subtables": True}


def error(label: str, key: str | None, problem: str) -> ConfigError:
    return ConfigError(f"{' '.join(filter(None, [label, key]))}: {problem}")


def unknown(label: str, key: str, known: list[str], table: bool) -> ConfigError:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known) or 'none'}"
    return error(label, key, f"unknown {'table' if table else 'key'} ({hint})")


def _describe(tp: Any) -> str:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        return f"a list of {_describe(args[0]).removeprefix('a ').removeprefix('an ')}s"
    if _is_table(tp):
        return "a table"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}[tp]


def _is_table(tp: Any) -> bool:
    return typing.get_origin(tp) is dict or dataclasses.is_dataclass(tp)


def _is(tp: type, value: Any) -> bool:
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, tp)


def _convert(tp: Any, value: Any, label: str, key: str, name: str, meta) -> Any:
    """`value`, found at `label key` (a table named `name` when it is one), checked as `tp`."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is types.UnionType:  # TOML has no null; of the rest, the value's shape picks
        options = [a for a in args if a is not type(None)]
        fits = [a for a in options if _is_table(a) == isinstance(value, dict)] or options
        if len(fits) > 1:
            raise error(label, key, f"expected {' or '.join(map(_describe, options))}, "
                         f"got {value!r}")
        return _convert(fits[0], value, label, key, name, meta)
    wrong = error(label, key, f"expected {_describe(tp)}, got {value!r}")
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise wrong
        return _parse(tp, value, name)
    if origin is dict:
        if not isinstance(value, dict):
            raise wrong
        return {k: _entry(args[1], v, name, k, meta.get("keys")) for k, v in value.items()}
    if origin is tuple:
        if not isinstance(value, list):
            raise wrong
        if dataclasses.is_dataclass(args[0]):  # an array of tables: [[name]]
            if not all(isinstance(v, dict) for v in value):
                raise wrong
            return tuple(_parse(args[0], v, name, f"[[{name}]] #{i}")
                         for i, v in enumerate(value, 1))
        if not all(_is(args[0], v) for v in value):
            raise wrong
        return tuple(float(v) if args[0] is float else v for v in value)
    if not _is(tp, value):
        raise wrong
    choices = meta.get("choices")
    if choices and value not in choices:
        raise error(label, key, f"must be one of {', '.join(choices)}, not {value!r}")
    return float(value) if tp is float else value


def _join(table: str, key: str) -> str:
    return f"{table}.{key}" if table else key


def _entry(tp: Any, value: Any, table: str, key: str, allowed: tuple[str, ...] | None) -> Any:
    """One entry of a table whose keys are names (models, devices)."""
    child = _join(table, key)
    if allowed is not None and key not in allowed:
        if isinstance(value, dict):
            raise unknown("", f"[{child}]", [f"[{table}.{a}]" for a in allowed], table=True)
        raise unknown(f"[{table}]", key, list(allowed), table=False)
    return _convert(tp, value, f"[{table}]" if table else "", key, child, {})


def parse_table(cls: type, table: dict) -> Any:
    """An instance of the dataclass `cls` from a TOML document checked against its fields."""
    return _parse(cls, table, "")


def _parse(cls: type, table: dict, name: str, label: str | None = None) -> Any:
    """An instance of the table dataclass `cls` from the TOML table `table`, named `name`."""
    label = label if label is not None else f"[{name}]" if name else ""
    hints = typing.get_type_hints(cls)  # resolved in the module that declares the table
    declared = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("subtables")}
    rest = next((f for f in dataclasses.fields(cls) if f.metadata.get("subtables")), None)
    values, subtables = {}, {}
    for key, value in table.items():
        child = _join(name, key)
        if key in declared:
            values[key] = _convert(hints[key], value, label, key, child, declared[key].metadata)
        elif rest is not None and isinstance(value, dict):
            subtables[key] = value
        elif isinstance(value, dict):
            raise unknown("", f"[{child}]", [f"[{_join(name, k)}]" for k in declared],
                           table=True)
        else:
            raise unknown(label, key, list(declared), table=False)
    if rest is not None:
        allowed = rest.metadata.get("keys")
        values[rest.name] = {k: _entry(typing.get_args(hints[rest.name])[1], v, name, k, allowed)
                             for k, v in subtables.items()}
    for f in dataclasses.fields(cls):
        if f.name not in values and f.default is MISSING and f.default_factory is MISSING:
            raise error(label, f.name, "missing (this table requires it)")
    return cls(**values)
