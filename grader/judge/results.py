"""Gradescope results.json: one row per test, cleaned text, written once, atomically."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader

TEST_OUTPUT_LIMIT = 10_000
TOP_OUTPUT_LIMIT = 50_000
# C0 controls except tab and newline, DEL, C1 controls, and ANSI escape sequences.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str, limit: int) -> str:
    """Printable text, `\\n` line endings, at most `limit` characters (cut marked)."""
    text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("\ufffd", text)
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
        "leaderboard": leaderboard,
    }


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
        "memory_limit_bytes": memory_limit(),
        "seed": seed,
        **more,
    }


def memory_limit() -> int | None:
    """The cgroup memory limit in bytes, else the machine's memory; None if unknown."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            return int(text)
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return None


def failure_document(message: str, *, execution_time: float = 0.0,
                     extra_data: dict | None = None) -> dict:
    """A valid results.json for a run that could not finish: a clear top-level message."""
    return build([], output=message, visibility="visible",
                 execution_time=execution_time, extra_data=extra_data or {}, leaderboard=[])


def write_json(path: str | Path, document: dict) -> dict:
    """Write `document`; one holding a value JSON cannot carry becomes a valid failure file."""
    try:
        write_atomic(path, document)
    except (TypeError, ValueError) as exc:
        document = failure_document(f"The grader produced invalid results ({exc}); "
                                    "please tell the course staff.")
        write_atomic(path, document)
    return document


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
