"""In-process backend: student code runs in the test process (students' local runs).

Messages still go through the wire encoding, so tests see exactly the values a
sandboxed worker would send: copies of plain data, handles for the rest.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from grader.worker import helpers
from grader.worker.dispatch import Dispatcher


class InProcessBackend:
    name = "in-process"

    def __init__(self, root: str | Path, modules: list[str], helper_module: Path | None = None):
        self.dispatcher = Dispatcher(root, modules, helpers.table(helper_module))

    def exchange(self, request: dict, buffers: list) -> tuple[dict, list]:
        reply, out = self.dispatcher.handle(request, [bytes(b) for b in buffers])
        return reply, [bytes(b) for b in out]

    def paused(self):
        """Student code runs in this process: there is nothing separate to pause."""
        return contextlib.nullcontext()

    def close(self) -> None:
        self.dispatcher.close()
