"""The worker: the untrusted side of the trust boundary.

Run in a scratch copy of the submission, by a child of the judge's zygote
(`grader.sandbox.zygote`, which imported torch and these modules before it forked)
or by `grader.sandbox.launch` (as `python -I -m grader.worker`). It reads requests
from one inherited pipe and writes replies to another, never stdin/stdout, so nothing
the student prints can forge a reply; fd 1 and 2 go to a capped file that the judge
reads after each call. Student modules are imported lazily, by the first request that
names them, so the `ready` message is written before any student code runs, and the
helper table is taken before then too (see `_take_helpers`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="grader.worker")
    parser.add_argument("--requests", type=int, required=True, help="fd to read requests from")
    parser.add_argument("--replies", type=int, required=True, help="fd to write replies to")
    parser.add_argument("--root", required=True, help="folder with the submission's modules")
    parser.add_argument("--modules", default="", help="comma-separated module names")
    parser.add_argument("--helpers", help="the assignment's own helper module (a .py file)")
    parser.add_argument("--generation", type=int, default=0)
    parser.add_argument("--applied", default="{}", help="protections the launcher applied (JSON)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    # Imports that the judge would otherwise see as slowness of the first graded call.
    import torch  # noqa: F401

    from grader.toolkit.memory import release_free_memory
    from grader.wire import read_message, write_message
    from grader.worker.dispatch import Dispatcher

    requests = os.fdopen(args.requests, "rb", buffering=1 << 16)
    replies = os.fdopen(args.replies, "wb", buffering=1 << 16)
    dispatcher = Dispatcher(args.root, [m for m in args.modules.split(",") if m],
                            _take_helpers(args.helpers), generation=args.generation)
    write_message(replies, {"stage": "ready", "pid": os.getpid(),
                            "applied": json.loads(args.applied)}, [])
    while True:
        try:
            request, buffers = read_message(requests)
        except EOFError:
            return 0
        reply, out = dispatcher.handle(request, buffers)
        reply["seq"] = request.get("seq")
        _flush_std()
        try:
            write_message(replies, reply, out)
        except (TypeError, ValueError) as exc:  # e.g. a value JSON cannot carry
            write_message(replies, {"ok": False, "output": reply.get("output", ""),
                                    "error": {"type": "WireError", "message": str(exc)}}, [])
        del reply, out, buffers  # before the trim: a training call's data is garbage now
        release_free_memory()


def _take_helpers(extra: str | None) -> dict:
    """The helper table, then the helper module made unreachable by name.

    Student code imported later that imports `grader.worker.helpers` gets a fresh
    copy; patching it, or the copy's table, leaves the functions being called alone.
    """
    import grader.worker
    from grader.worker import helpers

    table = helpers.table(extra)
    sys.modules.pop(helpers.__name__, None)
    del grader.worker.helpers
    return table


def _flush_std() -> None:
    """Push buffered prints to fd 1/2 before the reply, so they land with this call."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or replaced by student code
            pass


if __name__ == "__main__":
    sys.exit(main())
