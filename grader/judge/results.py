"""Gradescope results.json: one row per test, cleaned text, written once, atomically."""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader
from grader import host, textsafe
from grader.assignment.results import REGRADE

TEST_OUTPUT_LIMIT = 10_000
TOP_OUTPUT_LIMIT = 50_000


def clean_text(text: str, limit: int) -> str:
    """`textsafe.clean` text (valid, printable), at most `limit` characters (cut marked)."""
    text = textsafe.clean(text)
    if len(text) > limit:
        note = f"\n[... output truncated: {len(text) - limit} more characters]"
        text = text[: max(0, limit - len(note))] + note
    return text


@dataclass
class TestResult:
    name: str
    max_score: float
    score: float = 0.0
    status: str = "failed"            # "passed" | "failed"
    output: str = ""
    number: str | None = None
    visibility: str | None = None
    tags: list[str] = field(default_factory=list)
    extra_data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict:
        row = {
            "name": clean_text(self.name, 1000),
            "score": round(self.score, 6),
            "max_score": round(self.max_score, 6),
            "status": self.status,
            "output": clean_text(self.output, TEST_OUTPUT_LIMIT),
            "output_format": "text",
            "tags": list(self.tags),
            "extra_data": self.extra_data,
        }
        if self.number is not None:
            row["number"] = self.number
        if self.visibility is not None:
            row["visibility"] = self.visibility
        return row


def build(tests: list[TestResult], *, output: str, visibility: str,
          execution_time: float, extra_data: dict, leaderboard: list[dict]) -> dict:
    """The whole results.json document."""
    return {
        "score": round(sum(t.score for t in tests), 6),
        "execution_time": round(execution_time, 3),
        "output": clean_text(output, TOP_OUTPUT_LIMIT),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "extra_data": extra_data,
        "tests": [t.as_json() for t in tests],
        "leaderboard": [{**entry, "value": clean_text(entry["value"], 1000)}
                        if isinstance(entry.get("value"), str) else entry
                        for entry in leaderboard],
    }


def needs_regrade(document: dict) -> bool:
    """Whether this grading must be done again: some test could not be graded fairly on
    this run (a timing a busy machine disturbed, a worker killed from outside twice).

    Such a test scores 0 in this document and says so; grading the submission again,
    on a quieter machine, gives the document that replaces this one.
    """
    return bool((document.get("extra_data") or {}).get(REGRADE))


def environment(device: str, seed: int, **more: Any) -> dict:
    """What the grader ran with, for `extra_data` (read at run time, never assumed)."""
    gpu = None
    if device.startswith("cuda"):
        import torch

        gpu = torch.cuda.get_device_name()
    return {
        "grader_version": grader.__version__,
        "python_version": platform.python_version(),
        "torch_version": importlib.metadata.version("torch"),
        "device": device,
        "gpu": gpu,
        "cpu_count": len(os.sched_getaffinity(0)),
        "memory_limit_bytes": host.memory_limit(),
        "seed": seed,
        **more,
    }


def failure_document(message: str, *, execution_time: float = 0.0,
                     extra_data: dict | None = None) -> dict:
    """A valid results.json for a run that could not finish: a clear top-level message."""
    return build([], output=message, visibility="visible",
                 execution_time=execution_time, extra_data=extra_data or {}, leaderboard=[])


def write_json(path: str | Path, document: dict) -> dict:
    """Write `document`; a value JSON or UTF-8 cannot carry is repaired, never a lost row.

    Text is cleaned where it enters the document (`TestResult`, `build`), so this is
    the last resort for a value that slipped past: the repaired file still lists every
    test with its score, and says that it was repaired.
    """
    try:
        write_atomic(path, document)
    except (TypeError, ValueError) as exc:
        note = (f"The grader had to repair these results before writing them ({exc}); "
                "the scores are as graded. Please tell the course staff.")
        document = _repaired({**document, "output": f"{note}\n\n{document.get('output', '')}"})
        document["score"] = round(sum(t["score"] for t in document.get("tests", [])), 6)
        write_atomic(path, document)
    return document


def _repaired(value: Any) -> Any:
    """`value` as JSON can hold it: text cleaned, containers plain, non-finite numbers 0."""
    if isinstance(value, str):
        return textsafe.clean(value)
    if isinstance(value, dict):
        return {textsafe.clean(str(k)): _repaired(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_repaired(v) for v in value]
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else 0.0
    return textsafe.clean(str(value))


def write_atomic(path: str | Path, document: dict) -> None:
    """Write next to `path`, fsync, rename over it: readers see the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".results-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
