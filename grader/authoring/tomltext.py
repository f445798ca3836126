"""Just enough TOML writing for generated configs (the stdlib only reads TOML).

``dumps`` writes tables of scalars, lists of scalars and nested tables;
``replace_tables`` swaps whole top-level tables in an existing file and leaves
every other line (comments included) as the instructor wrote it.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML here holds finite numbers only, got {value}")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML: {value!r}")


def _table(name: str, table: dict[str, Any]) -> list[str]:
    scalars = [f"{_key(k)} = {_value(v)}" for k, v in table.items() if not isinstance(v, dict)]
    lines = [f"[{name}]", *scalars] if scalars or not name else []
    for key, sub in table.items():
        if isinstance(sub, dict):
            lines += ([""] if lines else []) + _table(f"{name}.{_key(key)}" if name else _key(key),
                                                      sub)
    return lines


def dumps(document: dict[str, dict[str, Any]]) -> str:
    """TOML text for ``document``, whose top level holds tables only."""
    blocks = ["\n".join(_table(_key(name), table)) for name, table in document.items()]
    text = "\n\n".join(blocks) + "\n"
    if tomllib.loads(text) != document:
        raise ValueError("this document does not survive a TOML round trip")
    return text


def replace_tables(text: str, tables: dict[str, dict[str, Any]]) -> str:
    """``text`` with each named top-level table (and its sub-tables) rewritten where it first
    stood, or appended; every other line is kept, and so is a comment that introduces a
    table: it stays above that table's header, rewritten or not."""
    out: list[str] = []
    skipping = False
    held: list[str] = []  # comments in a rewritten table: the next header's
    notes: dict[str, list[str]] = {}  # a rewritten table's header -> the comments above it
    pending = dict(tables)
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            top = header.group(1).split(".")[0].strip().strip('"')
            while held and not held[0].strip():
                held.pop(0)  # a rewritten table ends with its own blank line
            if top in tables:
                notes[_name(header.group(1))] = held
            else:
                out += held
            held = []
            skipping = top in tables
            if top in pending:
                out += _table(_key(top), pending.pop(top)) + [""]
        if not skipping:
            out.append(line)
        elif not line.strip() or line.lstrip().startswith("#"):
            held.append(line)
        else:
            held = []  # they were inside the rewritten table
    while out and not out[-1].strip():
        out.pop()
    for name, table in pending.items():
        out += ["", *_table(_key(name), table)]
    result = "\n".join(_with_notes(out, notes)).lstrip("\n") + "\n"
    tomllib.loads(result)  # never write a config the engine cannot read
    return result


def _name(header: str) -> str:
    return ".".join(part.strip().strip('"') for part in header.split("."))


def _with_notes(lines: list[str], notes: dict[str, list[str]]) -> list[str]:
    """``lines`` with each rewritten header's comments above it again."""
    found = []
    for line in lines:
        header = _HEADER.match(line)
        found += notes.pop(_name(header.group(1)), []) if header else []
        found.append(line)
    return found
